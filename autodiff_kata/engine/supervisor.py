"""The one supervisor of every process that runs learner code.

A `Worker` is a handle on one such process: forked from the warm parent, talked to over a
pipe, its output read into a capped buffer, every wait bounded, and, when it is closed, its
whole process tree killed. What goes wrong comes back as an `Ended` (a kind and its facts),
never as words.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import io
import multiprocessing.popen_forkserver
import multiprocessing.spawn
import os
import pickle
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from types import FunctionType
from typing import Any

from autodiff_kata.engine import CONTEXT, wire
from autodiff_kata.engine.cgroups import (
    CGROUP_PREFIX,
    CGROUPS,
    cgroup_folder,
    cgroups_of,
    remove_groups,
)
from autodiff_kata.results import Kind

MAX_REPLY = 256 * 2**20
TAIL_BYTES = 4096
# Set to 1 to keep workers under the caller's own user even when started as root.
SAME_USER = "AUTODIFF_KATA_SAME_USER"
PR_SET_CHILD_SUBREAPER = 36
STARTTIME = 19  # in _stat(): a process's start time, in clock ticks after boot
_OPEN: dict[int, Worker] = {}  # this process's workers that are not closed yet, by pid
# Where any user may write (a worker's own user included), on Linux, and how much a worker
# of its own user may write in each: as root, it gets a tmpfs of its own of that size at each
# (worker._folders_of_its_own), its scratch folder inside its own /tmp.
SHARED_FOLDERS = {"/tmp": 256 * 2**20, "/var/tmp": 16 * 2**20, "/dev/shm": 64 * 2**20,
                  "/run/lock": 16 * 2**20}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0  # one test's time in the submission's code
    grace: float = 5.0  # past the time limit, before a worker deaf to its alarm is killed
    memory_bytes: int | None = 4 * 2**30
    output_bytes: int = 10_000_000


@dataclass(frozen=True)
class Settings:
    """How the supervisor contains a worker."""

    memory_bytes: int | None = None  # address-space limit (not set where CUDA may be used)
    file_bytes: int = 64 * 2**20  # largest file the worker may write
    uid: int | None = None  # the unprivileged user to run as, when started as root
    scratch: str = ""  # the worker's working directory, writable by it alone
    max_processes: int = 1024  # processes and threads (torch starts one a core), per user
    cores: float = 1.0  # the processor time its whole tree may take, where a cgroup can say so
    tree_memory_bytes: int | None = None  # the memory its whole tree may take, likewise
    warm: tuple[str, ...] = ()  # what it prepares as it starts (worker.prepare)


class _Pickler(pickle.Pickler):
    """Plain pickle, which refuses a function or class of a grader module: the worker would
    import the grader to unpickle it (and cannot, where the graders are not on its path)."""

    def reducer_override(self, obj: Any) -> Any:
        module = getattr(obj, "__module__", "") if isinstance(obj, type | FunctionType) else ""
        if module and module.split(".")[0].startswith("test_"):
            raise pickle.PicklingError(
                f"{obj.__qualname__} is defined in the grader {module}: a worker cannot load "
                "it; define what graders send in autodiff_kata.functions, or in the exercise's "
                "workloads module (autodiff_kata/workloads/)"
            )
        return NotImplemented


def _dumps(message: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer).dump(message)
    return buffer.getvalue()


def _worker_main(*args: Any) -> None:
    """The worker's entry point. Its module (torch, TorchDynamo, the recorders) is loaded in
    the warm parent, where this runs; the grading process loads it only to fork the warm
    parent from itself (compare's sessions: engine.warm_up's `forked`)."""
    from autodiff_kata.engine.worker import main

    main(*args)


@dataclass
class Ended(Exception):
    """The worker cannot answer: it died, hung, or said too much."""

    kind: Kind
    detail: str = ""
    signal: int | None = None
    code: int | None = None


class _Popen(multiprocessing.popen_forkserver.Popen):
    """The forkserver's way of starting a process, less one step: the child would import the
    parent's main module (pytest's, the command line's) before running the worker."""

    def _launch(self, process_obj: Any) -> None:
        prepare = multiprocessing.spawn.get_preparation_data

        def without_main(name: str) -> dict[str, Any]:
            return {k: v for k, v in prepare(name).items() if not k.startswith("init_main")}

        multiprocessing.spawn.get_preparation_data = without_main
        try:
            super()._launch(process_obj)
        finally:
            multiprocessing.spawn.get_preparation_data = prepare


class _Process(CONTEXT.Process):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


def isolating_users() -> bool:
    """Whether workers run as users of their own: only root can, and does unless told not to."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and os.environ.get(SAME_USER) != "1"


class _Output:
    """The worker's stdout and stderr: the last few KiB kept, the total counted."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.total = 0
        self.tail = b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        fd = self.connection.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.total += len(chunk)
            self.tail = (self.tail + chunk)[-TAIL_BYTES:]

    def last_lines(self, count: int = 6) -> str:
        lines = self.tail.decode(errors="replace").rstrip().splitlines()
        return "\n".join(line[:200] for line in lines[-count:])


class Worker:
    """One worker process, for one exercise (or one module of the compare probe)."""

    def __init__(
        self, limits: Limits, *, cuda_possible: bool = False, warm: tuple[str, ...] = ()
    ) -> None:
        self.limits = limits
        self.uid = 100_000 + secrets.randbelow(900_000) if isolating_users() else None
        self.scratch = tempfile.mkdtemp(prefix="autodiff-kata-worker-")
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        settings = Settings(
            memory_bytes=None if cuda_possible else limits.memory_bytes,
            tree_memory_bytes=limits.memory_bytes,  # resident memory: CUDA's reservations pass
            file_bytes=max(limits.output_bytes, 2**20),
            uid=self.uid,
            scratch=self.scratch,
            warm=warm,
        )
        self.connection, theirs = CONTEXT.Pipe()
        output, output_theirs = CONTEXT.Pipe(duplex=False)
        self.process = _Process(
            target=_worker_main, args=(theirs, output_theirs, settings), daemon=True
        )
        _adopt_orphans()
        self.process.start()
        self.started = started_at(self.process.pid)
        _OPEN[self.process.pid] = self
        theirs.close()
        output_theirs.close()
        self.output = _Output(output)
        self.closed = False

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def stopped_or_gone(self) -> bool:
        """Whether the process has ended, or is stopped (by a signal, or a tracer): one that
        will not answer, however long it is waited for."""
        if not self.process.is_alive():
            return True
        with contextlib.suppress(OSError):  # /proc: Linux
            return _stat(str(self.process.pid))[0] in ("T", "t", "Z", "X")
        return False

    def request(self, message: dict[str, Any], seconds: float) -> dict[str, Any]:
        """Send one request and wait for its reply: at most `seconds` plus the grace."""
        try:  # plain pickle: torch's own reductions would share the tensors' memory
            self.connection.send_bytes(_dumps(message))
        except (OSError, ValueError):
            raise self._death() from None
        allowed = seconds + self.limits.grace
        deadline = time.monotonic() + allowed
        while True:
            left = deadline - time.monotonic()
            ready = wait([self.connection, self.process.sentinel], timeout=max(0.0, min(0.2, left)))
            if self.output.total > self.limits.output_bytes:
                self.close()
                raise Ended(Kind.TOO_MUCH_OUTPUT, str(self.limits.output_bytes))
            if self.connection in ready:
                try:
                    data = self.connection.recv_bytes(MAX_REPLY)
                except (EOFError, OSError):
                    raise self._death() from None
                reply = wire.loads(data)
                if reply.get("kind") == "out of memory":
                    self.close()
                    raise Ended(Kind.OUT_OF_MEMORY, str((self.limits.memory_bytes or 0) >> 20))
                return reply
            if self.process.sentinel in ready:
                raise self._death()
            if left <= 0:
                self.close()
                raise Ended(Kind.HUNG, f"{allowed:g}")

    def _death(self) -> Ended:
        self.process.join(2)
        code = self.process.exitcode
        printed = self.output.last_lines()
        out_of_memory = code == -signal.SIGKILL and killed_for_memory(self.process.pid)
        self.close()
        if out_of_memory:
            return Ended(Kind.OUT_OF_MEMORY, str((self.limits.memory_bytes or 0) >> 20))
        if code is not None and code < 0:
            if -code == signal.SIGXFSZ:
                return Ended(Kind.TOO_MUCH_OUTPUT, str(self.limits.output_bytes))
            return Ended(Kind.KILLED, printed, signal=-code)
        return Ended(Kind.EXITED, printed, code=code)

    def close(self) -> None:
        """Kill the worker and everything it started; bounded, and safe to call twice."""
        if self.closed:
            return
        self.closed = True
        if self.process.pid is not None:
            kill_tree(self.process.pid, self.uid)  # and every process of its user, if its own
            self.process.join(5)
        self.connection.close()
        if self.uid is not None:
            remove_files_of(self.uid)
            remove_cgroups(self.process.pid)
        _OPEN.pop(self.process.pid, None)
        _sweep_orphans(self.started)
        shutil.rmtree(self.scratch, ignore_errors=True)


@atexit.register
def _close_what_is_open() -> None:
    """A grading process that ends of itself with workers still open (a script's, a bug of
    ours) closes them: multiprocessing's own exit handler would only terminate each worker,
    and leave what it started running, and its scratch folder, behind."""
    for worker in list(_OPEN.values()):
        worker.close()


def remove_files_of(uid: int, folders: Iterable[str] = tuple(SHARED_FOLDERS)) -> None:
    """Remove what a worker's user left where every user may write: its files would outlive
    the run, and those in /dev/shm take memory that no limit of the worker's counts. A user
    of its own can create files only in folders that anyone may write to (and in its own
    folders, removed whole), so only those are searched."""
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if info.st_uid == uid:
                if stat.S_ISDIR(info.st_mode):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
            elif stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH:
                remove_files_of(uid, (entry.path,))


def killed_for_memory(pid: int | None) -> bool:
    """Whether the kernel killed a process of the worker `pid`'s control group for memory."""
    for hierarchy in CGROUPS:
        for name in ("memory.oom_control", "memory.events"):  # v1, v2
            try:
                text = (cgroup_folder(hierarchy, pid) / name).read_text()
            except OSError:
                continue
            counts = dict(line.split(None, 1) for line in text.splitlines() if " " in line)
            if counts.get("oom_kill", "0").strip() not in ("", "0"):
                return True
    return False


def remove_cgroups(pid: int | None = None) -> None:
    """Remove the control groups of the worker `pid` (of every worker no longer running,
    without one: those left by a grading process killed outright); one with a process still
    in it stays."""
    remove_groups(_groups_to_remove(pid))


def remove_cgroups_at_exit(parent: int) -> None:
    """Run by the warm parent `parent` as it ends, with its grading process: a worker run as
    root cannot remove its own control groups, and one whose grading process was killed
    outright ends by itself, soon after, as do the processes it started; wait a little for
    its own workers, then remove their groups (and any left by gradings killed before). Only
    its own are waited for: it holds the grading process's output open until it ends."""
    if os.getpid() != parent:
        return  # a worker forked from it, exiting
    workers = [p.pid for p in _processes() if p.ppid == parent]
    remove_cgroups()  # those of gradings killed before, once: their processes may linger
    deadline = time.monotonic() + 3
    while True:
        with contextlib.suppress(ChildProcessError):  # its workers: their groups can then go
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        for pid in workers:
            remove_cgroups(pid)
        left = [pid for pid in workers if _running(str(pid)) or _groups_to_remove(pid)]
        if not left or time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _groups_to_remove(pid: int | None = None) -> list[Path]:
    """The groups of the worker `pid`; without one, those of every worker no longer running."""
    if pid is not None:
        return cgroups_of(pid)
    owners = {group: group.name.removeprefix(CGROUP_PREFIX) for group in cgroups_of()}
    return [group for group, owner in owners.items() if not (owner.isdigit() and _running(owner))]


def _running(pid: str) -> bool:
    try:
        return _stat(pid)[0] not in ("Z", "X")
    except OSError:
        return False


# process trees -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Proc:
    pid: int
    ppid: int
    group: int
    session: int
    uid: int
    zombie: bool
    started: int  # clock ticks after boot


def _processes() -> list[_Proc]:
    """Every process, read straight from /proc (a worker's close reads it a few times)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = _stat(name)
            status = _read(f"/proc/{name}/status")
            uid = int(status[status.index("\nUid:") + 5 :].split(None, 1)[0])  # the real uid
            ppid, group, session = (int(field) for field in fields[1:4])
            started = int(fields[STARTTIME])
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
        found.append(_Proc(int(name), ppid, group, session, uid, fields[0] == "Z", started))
    return found


def _read(path: str) -> str:
    """The start of a small /proc file (a process's stat and status fit in 4 KiB)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 4096).decode(errors="replace")
    finally:
        os.close(fd)


def _stat(pid: str) -> list[str]:
    """/proc/PID/stat's fields after the command name: [0] is the state, its 3rd field."""
    stat = _read(f"/proc/{pid}/stat")
    return stat[stat.rindex(")") + 2 :].split()


def started_at(pid: int | None) -> int:
    """When a process started (clock ticks after boot), which tells it from a later one that
    reuses its pid; 0 once it is gone."""
    try:
        return int(_stat(str(pid))[STARTTIME])
    except OSError:
        return 0


def parent_of(pid: int) -> int:
    """A running process's parent; 0 once it is gone."""
    try:
        return int(_stat(str(pid))[1])
    except (OSError, ValueError, IndexError):
        return 0


def _adopt_orphans() -> None:
    """Make this process the subreaper of what it starts (Linux): a worker that dies before
    it is closed leaves its children to this process rather than to init, and `close` still
    finds them, even those that left the worker's session (without a user of their own to
    find them by, when not run as root)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _sweep_orphans(since: int) -> None:
    """Kill and reap what dead workers left to this process: its children in a session not
    its own (a worker starts a session of its own, and nothing it starts can join this one),
    started since `since`, other than workers still open."""
    if not Path("/proc").is_dir():
        return
    for _ in range(10):
        orphans = [
            p
            for p in _processes()
            if p.ppid == os.getpid()
            and p.session != os.getsid(0)
            and p.started >= since
            and p.pid not in _OPEN
        ]
        if not orphans:
            return
        for orphan in orphans:
            if not orphan.zombie:
                kill_tree(orphan.pid, None)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(orphan.pid, os.WNOHANG)


def _members(root: int | None, uid: int | None) -> set[int]:
    """The live processes of a worker: its descendants, its group and session, its user."""
    processes = [p for p in _processes() if not p.zombie]
    members = {
        p.pid
        for p in processes
        if (uid is not None and p.uid == uid) or (root is not None and root in (p.group, p.session))
    }
    if root is not None:
        members.add(root)
        children: dict[int, list[int]] = {}
        for p in processes:
            children.setdefault(p.ppid, []).append(p.pid)
        stack = [root]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in members:
                    members.add(child)
                stack.append(child)
    members.discard(os.getpid())
    live = {p.pid for p in processes}
    return members & live


def kill_tree(root: int | None, uid: int | None) -> None:
    """SIGKILL a worker and everything it started, until nothing of it is left."""
    if not Path("/proc").is_dir():
        if root is not None:
            with contextlib.suppress(OSError):
                os.killpg(root, signal.SIGKILL)
        return
    for _ in range(100):
        members = _members(root, uid)
        if not members:
            return
        for pid in members:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGSTOP)  # no more forks while the tree is taken down
        for pid in members:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
