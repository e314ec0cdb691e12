"""Nothing a batch started may outlive it: compare adopts every orphan, then sweeps.

Compare's own process becomes a child subreaper, so that a process the batch started and
then left behind (a worker whose grading session died, whatever a submission detached) is
re-parented to it instead of to init. Once the sessions are shut down, `sweep` stops and
kills every descendant that was not there before the batch, and reaps it; the reports are
written only after that.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path

from autodiff_kata.engine.cgroups import cgroups_of, remove_groups

PR_SET_CHILD_SUBREAPER = 36


class Survivors(RuntimeError):
    """Processes of the batch that could not be stopped: no report may be written."""

    def __init__(self, pids: set[int]) -> None:
        super().__init__(f"processes of the batch could not be stopped: {sorted(pids)}")
        self.pids = pids


def adopt_orphans() -> bool:
    """Make this process the subreaper of everything it starts (Linux); whether it is."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0


def _children() -> dict[int, list[tuple[int, bool]]]:
    """parent pid → [(pid, zombie)], from /proc."""
    found: dict[int, list[tuple[int, bool]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found.setdefault(int(fields[1]), []).append((int(entry.name), fields[0] == "Z"))
    return found


def descendants(live_only: bool = True) -> set[int]:
    """Every process below this one (zombies too, unless `live_only`)."""
    if not Path("/proc").is_dir():
        return set()
    children = _children()
    found: set[int] = set()
    stack = [os.getpid()]
    while stack:
        for pid, zombie in children.get(stack.pop(), []):
            if pid not in found:
                stack.append(pid)
                if not (zombie and live_only):
                    found.add(pid)
    return found


def sweep(keep: set[int]) -> set[int]:
    """Kill and reap every descendant not in `keep` (nor below one), and remove the control
    groups of the workers among them (their warm parents, killed too, would have); what could
    not be stopped is returned (a process stuck in the kernel, say)."""
    killed: set[int] = set()
    for _ in range(200):
        alive = _below_this(keep)
        for pid in alive:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)  # no more forks while they are taken down
        for pid in alive:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        killed |= alive
        _reap(keep)
        if not alive and not _below_this(keep, live_only=False):
            break
        time.sleep(0.02)
    if killed:  # workers among them keep their control groups (their warm parent is gone)
        remove_groups(cgroups_of(*killed))
    return _below_this(keep)


def _below_this(keep: set[int], live_only: bool = True) -> set[int]:
    kept = set(keep)
    children = _children()
    stack = list(keep)
    while stack:
        for pid, _ in children.get(stack.pop(), []):
            if pid not in kept:
                kept.add(pid)
                stack.append(pid)
    return descendants(live_only) - kept


def _reap(keep: set[int]) -> None:
    """Collect this process's children that have died (adopted ones included). Those that
    multiprocessing started, it reaps itself: reaped behind its back, it would wait for them
    for ever."""
    managed = {p.pid for p in multiprocessing.active_children()}
    for pid, zombie in _children().get(os.getpid(), []):
        if zombie and pid not in keep and pid not in managed:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
