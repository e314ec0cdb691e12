"""Where any user may write (/tmp, /var/tmp, /dev/shm, /run/lock), a worker's files would
fill the machine's disk, or its memory (/dev/shm: memory that no limit of a worker's counts),
and another grading's processes would be the ones to fail. Run as root, a worker gets a tmpfs
of its own, of a fixed size, at each of them, its scratch folder inside its own /tmp
(engine.worker._folders_of_its_own): the machine's see nothing of what it writes there."""

from __future__ import annotations

import ctypes
import os
import tempfile
from pathlib import Path

import pytest

from autodiff_kata.engine.supervisor import SHARED_FOLDERS, isolating_users
from autodiff_kata.engine.worker import CLONE_NEWNS

MARKER = "HOSTILE-MARKER-folders"
MIB = 2**20

FILLS = f"""
import os
import torch


def first_derivative(f, x):
    '''Fill the folder named by f's first coefficient (0: the working directory) a MiB at a
    time, up to 512 MiB; answer how many MiB it took, and whether the folder shows the
    machine's files (it holds the grading process's marker).'''
    folder = {[".", *SHARED_FOLDERS]!r}[int(f.terms[0].coef) - 1]
    written = 0
    try:
        while written < 512:
            with open(f"{{folder}}/{MARKER}-{{os.getpid()}}-{{written}}", "wb") as file:
                file.write(bytes(2**20))
            written += 1
    except OSError:
        pass
    return torch.tensor([float(written), float(os.path.exists(f"{{folder}}/{MARKER}-seen"))])
"""


def _can_make_a_mount_namespace() -> bool:
    pid = os.fork()
    if pid == 0:  # the child tries, and says so by its exit code
        os._exit(0 if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWNS) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def _which(folder: str) -> int:
    """The coefficient that names `folder` to FILLS."""
    return [".", *SHARED_FOLDERS].index(folder) + 1


needs_a_namespace = pytest.mark.skipif(
    not isolating_users() or not _can_make_a_mount_namespace(),
    reason="a worker of its own user needs root, and a mount namespace CAP_SYS_ADMIN",
)


@needs_a_namespace
@pytest.mark.parametrize("folder", [f for f in SHARED_FOLDERS if Path(f).is_dir()])
def test_a_worker_fills_a_folder_of_its_own_only(answer, folder):
    machine = Path(folder)
    seen = machine / f"{MARKER}-seen"
    seen.write_bytes(b"")
    try:
        written, saw_the_machine_s = answer(FILLS, _which(folder)).tolist()
        left = sorted(p.name for p in machine.glob(f"{MARKER}-[0-9]*"))
    finally:
        for path in machine.glob(f"{MARKER}-*"):
            path.unlink()
    assert 0 < written <= SHARED_FOLDERS[folder] // MIB, "it wrote more than its tmpfs holds"
    assert saw_the_machine_s == 0, f"the worker saw the machine's {folder}"
    assert not left, f"the machine's {folder} holds the worker's files: {left[:3]}"


@needs_a_namespace
def test_a_worker_s_scratch_folder_is_in_its_own_tmp(answer, tmp_path, monkeypatch):
    """Its working directory, and TMPDIR: within its own /tmp, whatever TMPDIR the grading
    process has (a folder of its own, in compare)."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    written, _ = answer(FILLS, _which(".")).tolist()
    assert 0 < written <= SHARED_FOLDERS["/tmp"] // MIB, "it wrote more than its tmpfs holds"
