"""A worker that keeps many processes busy, each in a session of its own (the scheduler
shares the processors fairly between sessions, not between graders), would starve the
exercises graded beside it (compare's other jobs) past their time limits, and change rows
not its own. Run as root where a control group can be made, a worker and all it starts take
at most `Settings.cores` processors (engine.worker._cores_of_its_own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from autodiff_kata.engine.proxy import (
    CompileEvidence,
    ExerciseWorker,
    LearnerModule,
    OperationEvidence,
    SGDEvidence,
)
from autodiff_kata.engine.supervisor import CGROUPS, Limits, Settings, isolating_users
from autodiff_kata.functions import quadratic
from autodiff_kata.registry import EXERCISES

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


def _can_make_a_cgroup() -> bool:
    for hierarchy in CGROUPS:
        if (Path(hierarchy) / "cpu.cfs_quota_us").exists() or (
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
def test_a_worker_takes_its_share_of_the_processors_only(tmp_path):
    if not _can_make_a_cgroup():
        pytest.skip("no control group can be made here (read-only cgroups)")
    module = tmp_path / "ex01_first_derivative.py"
    module.write_text(SPINS)
    worker = ExerciseWorker(EXERCISES[0], module, Limits(), False)
    try:
        impl = LearnerModule(worker, CompileEvidence(), SGDEvidence(), OperationEvidence())
        used = impl.first_derivative(quadratic(1, 0, 0), torch.tensor(1.0)).item()
    finally:
        worker.close()
    # A period's worth of slack: the quota is enforced a period (0.1 s) at a time.
    assert used <= Settings.cores * 1.25, f"its processes took {used:.2f} processors"
    left = [p for h in CGROUPS for p in Path(h).glob("autodiff-kata-worker-*")]
    assert not left, f"control groups left: {left}"
