"""Private copies of everything a batch reads, taken before any learner code runs.

Each submission's exercise modules, the reference's and the project's graders are copied
into one temporary folder that only compare's own user may enter (0700; as root, the
workers run as users of their own, so they cannot read it), and graded from there: a
submission that rewrites files mid-batch (its own, a sibling's, the graders') changes
nothing already copied. Only regular files are copied: a symlink or a FIFO in a
submission counts as a missing module.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from autodiff_kata.registry import Exercise


class NotPrivate(RuntimeError):
    """The snapshot folder could be read by someone other than compare's own user."""


@contextmanager
def private_folder() -> Iterator[Path]:
    """A fresh folder only this user may enter, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="autodiff-kata-compare-"))
    try:
        os.chmod(folder, 0o700)
        check_private(folder)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A fresh folder for the batch's temporary files (the sessions', their workers'),
    removed afterwards with whatever a killed session could not remove itself. Others may
    pass through it to a folder of their own (a worker's), not list it."""
    folder = Path(tempfile.mkdtemp(prefix="autodiff-kata-batch-"))
    try:
        os.chmod(folder, 0o711)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_private(folder: Path) -> None:
    """Owned by this user, no access for group or others: else NotPrivate."""
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise NotPrivate(
            f"{folder} is not private (mode {stat.filemode(info.st_mode)}, owner {info.st_uid})"
        )


def read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file, not following a symlink; None for anything else."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(descriptor)


def copy_modules(source: Path, exercises: Sequence[Exercise], destination: Path) -> str:
    """Copy the exercise modules found in `source` to `destination`; the sha256 of what was
    copied: for each module in course order, its file name, a NUL, its size, a NUL, its
    bytes."""
    destination.mkdir(mode=0o700, parents=True)
    digest = hashlib.sha256()
    for exercise in exercises:
        data = read_regular(source / exercise.filename)
        if data is None:
            continue
        (destination / exercise.filename).write_bytes(data)
        digest.update(f"{exercise.filename}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def copy_project(root: Path, destination: Path) -> Path:
    """The graders (tests/graders/*.py) and pyproject.toml of the checkout at `root`, as a
    project folder that runner.grade can take as its root."""
    graders = destination / "tests" / "graders"
    graders.mkdir(mode=0o700, parents=True)
    for grader in sorted((root / "tests" / "graders").glob("*.py")):
        data = read_regular(grader)
        if data is not None:
            (graders / grader.name).write_bytes(data)
    data = read_regular(root / "pyproject.toml")
    if data is not None:
        (destination / "pyproject.toml").write_bytes(data)
    return destination
