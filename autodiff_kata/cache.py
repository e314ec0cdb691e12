"""Grades remembered between commands, so that the board stays quick as exercises pass.

Grading a solved graph-mode exercise takes its graders seconds of torch.compile; the board
would grow slower with every pass. A grade pytest gave is reused only while nothing that
decides it has changed: the learner's file, the graders, pyproject.toml, this package, and the
torch and Python versions (the graders are derandomised: same inputs, same grade). Timeouts
and crashes, which depend on the machine's load, are never reused. `check` always grades.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from autodiff_kata.files import write_atomically
from autodiff_kata.registry import Exercise
from autodiff_kata.results import ExerciseResult, Status, TestResult

CACHE_FILE = ".kata-grades.json"
REUSABLE = {Status.PASSED, Status.FAILED, Status.NOT_IMPLEMENTED, Status.ERROR}
PACKAGE = Path(__file__).resolve().parent


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"(missing)"


def _versions() -> bytes:
    try:
        torch = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch = "none"
    devices = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    return f"torch {torch}; python {sys.version}; devices {devices}".encode()


def keys(root: Path, exercises: list[Exercise]) -> dict[str, str]:
    """One key per exercise: it changes whenever anything that decides the grade changes."""
    graders = sorted([*(root / "tests" / "graders").glob("*.py"), root / "tests" / "conftest.py"])
    package = sorted([*PACKAGE.rglob("*.py"), PACKAGE / "exercises.toml"])
    common = _digest(
        _versions(),
        _read(root / "pyproject.toml"),
        *(p.name.encode() + _read(p) for p in [*graders, *package] if "__pycache__" not in p.parts),
    )
    kata = root / "kata"
    return {e.module: _digest(common.encode(), _read(kata / e.filename)) for e in exercises}


@dataclass
class GradeCache:
    path: Path
    entries: dict[str, dict] = field(default_factory=dict)  # module -> {"key", "tests"}

    @classmethod
    def load(cls, root: Path) -> GradeCache:
        path = root / CACHE_FILE
        try:
            entries = json.loads(path.read_text())["grades"]
            if not isinstance(entries, dict):
                raise TypeError
        except (OSError, ValueError, KeyError, TypeError):
            entries = {}  # none yet, or damaged: grade afresh
        return cls(path, entries)

    def get(self, exercise: Exercise, key: str) -> ExerciseResult | None:
        entry = self.entries.get(exercise.module)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            tests = [TestResult.from_dict(t) for t in entry["tests"]]
        except (KeyError, TypeError, ValueError):
            return None
        return ExerciseResult(exercise, tests)

    def put(self, result: ExerciseResult, key: str) -> None:
        if result.status in REUSABLE:
            self.entries[result.exercise.module] = {
                "key": key,
                "tests": [t.to_dict() for t in result.tests],
            }
        else:
            self.entries.pop(result.exercise.module, None)

    def save(self) -> None:
        with contextlib.suppress(OSError):  # a read-only checkout still grades; it only forgets
            write_atomically(self.path, json.dumps({"version": 2, "grades": self.entries}))
