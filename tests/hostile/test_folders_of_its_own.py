"""/dev/shm is memory that no limit of a worker's counts, and the machine's may take half of
it: a worker that filled it would have the kernel kill some other grading's processes. Run
as root, a worker gets a /dev/shm of its own (engine.worker._shared_memory_of_its_own), and
the machine's sees nothing of what it writes there."""

from __future__ import annotations

import ctypes
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
from autodiff_kata.engine.supervisor import Limits, Settings, isolating_users
from autodiff_kata.engine.worker import CLONE_NEWNS
from autodiff_kata.functions import quadratic
from autodiff_kata.registry import EXERCISES

MARKER = "HOSTILE-MARKER-shared-memory"
MACHINE = Path("/dev/shm")

FILLS = f"""
import os
import torch


def first_derivative(f, x):
    '''Fill /dev/shm a MiB at a time, up to 256 MiB; answer how many MiB it took, and
    whether the machine's /dev/shm shows them (it holds the grading process's marker).'''
    written = 0
    try:
        while written < 256:
            with open(f"/dev/shm/{MARKER}-{{os.getpid()}}-{{written}}", "wb") as file:
                file.write(bytes(2**20))
            written += 1
    except OSError:
        pass
    return torch.tensor([float(written), float(os.path.exists("/dev/shm/{MARKER}-seen"))])
"""


def _can_make_a_mount_namespace() -> bool:
    pid = os.fork()
    if pid == 0:  # the child tries, and says so by its exit code
        os._exit(0 if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWNS) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


@pytest.mark.skipif(not isolating_users(), reason="a worker of its own user needs root")
@pytest.mark.skipif(not MACHINE.is_dir(), reason="no /dev/shm here")
def test_a_worker_fills_a_dev_shm_of_its_own_only(tmp_path):
    if not _can_make_a_mount_namespace():
        pytest.skip("this machine lets no process make a mount namespace (no CAP_SYS_ADMIN)")
    seen = MACHINE / f"{MARKER}-seen"
    seen.write_bytes(b"")
    module = tmp_path / "ex01_first_derivative.py"
    module.write_text(FILLS)
    worker = ExerciseWorker(EXERCISES[0], module, Limits(), False)
    try:
        impl = LearnerModule(worker, CompileEvidence(), SGDEvidence(), OperationEvidence())
        written, saw_the_machine_s = impl.first_derivative(quadratic(1, 2, 3), torch.tensor(0.0))
        left = sorted(p.name for p in MACHINE.glob(f"{MARKER}-[0-9]*"))
    finally:
        worker.close()
        seen.unlink()
        for path in MACHINE.glob(f"{MARKER}-*"):
            path.unlink()
    assert written.item() <= Settings.shared_memory_bytes >> 20
    assert saw_the_machine_s.item() == 0, "the worker saw the machine's /dev/shm"
    assert not left, f"the machine's /dev/shm holds the worker's files: {left[:3]}"
