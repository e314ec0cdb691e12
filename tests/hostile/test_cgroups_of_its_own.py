"""A worker that keeps many processes busy, each in a session of its own (the scheduler
shares the processors fairly between sessions, not between graders), would starve the
exercises graded beside it (compare's other jobs) past their time limits; one that fills
memory a process at a time, each under its own limit, would have the kernel kill processes
for memory, other gradings' among them: either changes rows not its own. Run as root where
control groups can be made, a worker and all it starts take at most `Settings.cores`
processors and the memory limit (engine.worker._cgroups_of_its_own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autodiff_kata.engine.cgroups import CGROUPS, cgroups_of
from autodiff_kata.engine.proxy import ExerciseOutcome
from autodiff_kata.engine.supervisor import Limits, Settings, isolating_users
from autodiff_kata.results import Kind

SPINS = """
import os
import resource
import signal
import time

import torch


def first_derivative(f, x):
    '''Four processes spinning, each in a session of its own, for 1.5 s: answer the
    processor time they took, in processors (seconds of it per second).'''
    children = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            os.setsid()
            while True:
                pass
        children.append(pid)
    started = time.monotonic()
    time.sleep(1.5)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    for pid in children:
        os.waitpid(pid, 0)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return torch.tensor((used.ru_utime + used.ru_stime) / (time.monotonic() - started))
"""

MIB = 2**20
LIMIT = 1536 * MIB  # for each process, and (where a cgroup can say so) for the whole tree

FILLS = """
import os
import time

import torch


def _child(pipe, mib):
    held = bytearray(mib * 2**20)  # written through: resident
    os.write(pipe, b"1")
    time.sleep(60)


def first_derivative(f, x):
    '''With f's first coefficient 1, three children that hold 600 MiB each; with 2, two that
    hold 500 MiB, then this process asks for 650 MiB, the most of any: answer how many
    children hold theirs at once.'''
    three = f.terms[0].coef == 1
    read, write = os.pipe()
    children = []
    for _ in range(3 if three else 2):
        pid = os.fork()
        if pid == 0:
            _child(write, 600 if three else 500)
        children.append(pid)
    os.close(write)
    os.set_blocking(read, False)
    done, deadline = 0, time.monotonic() + 5
    while done < len(children) and time.monotonic() < deadline:
        try:
            done += len(os.read(read, 8))
        except BlockingIOError:
            time.sleep(0.05)
    if not three:
        more = bytearray(650 * 2**20)
    time.sleep(0.5)  # the kernel kills for memory at once: the living hold theirs
    holding = sum(os.waitpid(pid, os.WNOHANG) == (0, 0) for pid in children)
    return torch.tensor(float(min(done, holding)))
"""


def _can_make_a_cgroup(control: str) -> bool:
    """Whether a control group with `control` (v1), or any (v2), can be made here."""
    for hierarchy in CGROUPS:
        if (Path(hierarchy) / control).exists() or (
            Path(hierarchy) / "cgroup.subtree_control"
        ).exists():
            probe = Path(hierarchy) / f"autodiff-kata-probe-{os.getpid()}"
            try:
                probe.mkdir()
            except OSError:
                continue
            probe.rmdir()
            return True
    return False


@pytest.mark.skipif(not isolating_users(), reason="a worker of its own user needs root")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one processor: nothing to share")
def test_a_worker_takes_its_share_of_the_processors_only(answer):
    if not _can_make_a_cgroup("cpu.cfs_quota_us"):
        pytest.skip("no control group can be made here (read-only cgroups)")
    used = answer(SPINS).item()
    # A period's worth of slack: the quota is enforced a period (0.1 s) at a time.
    assert used <= Settings.cores * 1.25, f"its processes took {used:.2f} processors"
    assert not cgroups_of(), f"control groups left: {cgroups_of()}"


needs_memory_groups = pytest.mark.skipif(
    not isolating_users() or not _can_make_a_cgroup("memory.limit_in_bytes"),
    reason="a worker of its own user needs root, and a memory control group writable cgroups",
)


@needs_memory_groups
def test_a_worker_s_processes_share_its_memory_limit(answer):
    holding = answer(FILLS, 1, Limits(memory_bytes=LIMIT)).item()
    assert holding <= 2, f"{holding:g} children held 600 MiB each, past {LIMIT >> 20} MiB"
    assert not cgroups_of(), f"control groups left: {cgroups_of()}"


@needs_memory_groups
def test_a_worker_killed_for_its_tree_s_memory_is_out_of_memory(answer):
    with pytest.raises(ExerciseOutcome) as ended:
        answer(FILLS, 2, Limits(memory_bytes=LIMIT))
    assert ended.value.outcome.kind is Kind.OUT_OF_MEMORY
    assert not cgroups_of(), f"control groups left: {cgroups_of()}"
