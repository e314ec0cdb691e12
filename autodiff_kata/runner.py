"""Grade a submission with the project's pytest graders, in this process.

This process is the trusted side: the graders and their oracles run here, the submission's
code runs in workers (autodiff_kata.engine), so nothing it does can stop or change this
process's run, and the report comes straight from the plugin's memory, never from a file a
worker could write. Running here also keeps torch, the graders and the workers' warm parent
loaded from one grade to the next (`watch`, `compare`).
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import Report

if TYPE_CHECKING:
    from autodiff_kata.engine.supervisor import Limits

PLUGIN_NAME = "autodiff-kata-grader"


@dataclass
class Graded:
    report: Report
    output: str = ""  # pytest's own output
    exit_code: int = 0


def grader_path(exercise: Exercise, root: Path) -> Path:
    return root / "tests" / "graders" / f"test_{exercise.module}.py"


class _Collector:
    """Takes the report from the grading plugin as the session ends."""

    report: Report | None = None

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        plugin = session.config.pluginmanager.get_plugin(PLUGIN_NAME)
        self.report = plugin.report() if plugin is not None else None


def _unload_other_graders(root: Path) -> None:
    """Grader modules loaded from another checkout would shadow this one's (pytest imports
    them by name); those of this checkout stay loaded, so a second grade reuses them."""
    graders = (root / "tests" / "graders").resolve()
    for exercise in EXERCISES:
        module = sys.modules.get(f"test_{exercise.module}")
        where = getattr(module, "__file__", None)
        if module is not None and (where is None or Path(where).resolve().parent != graders):
            del sys.modules[f"test_{exercise.module}"]


def grade(
    impl: Path,
    exercises: Sequence[Exercise] = EXERCISES,
    *,
    root: Path,
    limits: Limits | None = None,
    extra_args: Sequence[str] = (),
    plugins: Sequence[object] = (),
) -> Graded:
    """Grade `exercises` of the submission in `impl` with the graders of the project at
    `root`; one result per exercise that has a grader. `plugins` join the pytest run (compare's
    probe: see the grading plugin's pytest_autodiff_kata_exercise_graded)."""
    from autodiff_kata.engine.supervisor import Limits  # imported here: it imports torch

    limits = limits or Limits()
    graders = [grader_path(e, root) for e in exercises if grader_path(e, root).is_file()]
    if not graders:
        return Graded(Report(str(impl)))
    _unload_other_graders(root)
    memory = (limits.memory_bytes or 0) >> 20
    args = [
        "-c", str(root / "pyproject.toml"),
        "--rootdir", str(root),
        "--noconftest",  # the graders need none, and none written later may join them
        "-p", "no:cacheprovider",
        "-p", "no:benchmark",  # pytest-benchmark, where installed: 45 ms of every grade, unused
        "-q", "--no-header", "--capture=sys",
        f"--impl={impl.resolve()}",
        f"--exercise-time-limit={limits.seconds}",
        f"--exercise-memory={memory}",
        f"--exercise-output={limits.output_bytes}",
        *extra_args,
        *map(str, graders),
    ]  # fmt: skip
    collector = _Collector()
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        code = pytest.main(args, plugins=[collector, *plugins])
    report = collector.report or Report(str(impl))
    return Graded(report, output.getvalue()[-20_000:], int(code))
