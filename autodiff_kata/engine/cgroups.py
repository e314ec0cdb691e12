"""Where a worker run as root takes its share of the processors and memory: control groups of
its own (worker._cgroups_of_its_own), named after its pid, in cgroup v1's cpu and memory
hierarchies or v2's single one. Known here without torch, so that compare's own process,
which never loads it, can remove those of the workers its sweep kills."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

CGROUPS = ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/memory", "/sys/fs/cgroup")
CGROUP_PREFIX = "autodiff-kata-worker-"


def cgroup_folder(hierarchy: str, pid: int | None) -> Path:
    """The control group the worker `pid` makes in `hierarchy`."""
    return Path(hierarchy) / f"{CGROUP_PREFIX}{pid}"


def cgroups_of(*pids: int) -> list[Path]:
    """The control groups of these workers that exist (without any: every worker's)."""
    names = [cgroup_folder("", pid).name for pid in pids] or [f"{CGROUP_PREFIX}*"]
    return [group for h in CGROUPS for name in names for group in Path(h).glob(name)]


def remove_groups(groups: Iterable[Path]) -> None:
    """Remove these groups; one with a process still in it stays."""
    for group in groups:
        with contextlib.suppress(OSError):
            group.rmdir()
