"""The kata checkout the command line acts on, and how it grades it (always through pytest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autodiff_kata import cache, runner
from autodiff_kata.cache import GradeCache
from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import ExerciseResult, Kind, Report, TestResult

STATE_FILE = ".kata-state.json"
BACKUP_DIR = ".backup"  # inside kata/: never an exercise, as the graders load kata/<module>.py only


@dataclass
class Grades:
    report: Report
    output: str = ""  # pytest's output, when it ran
    reused: set[str] = field(default_factory=set)  # modules whose grade was remembered


class NoProject(RuntimeError):
    """No kata checkout around the current directory; the message says what to do."""


def is_project(folder: Path) -> bool:
    return (
        (folder / "pyproject.toml").is_file()
        and (folder / "kata").is_dir()
        and (folder / "tests" / "graders").is_dir()
    )


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def locate(cls, start: Path | None = None) -> Project:
        """The checkout holding `start` (the learner works anywhere inside it).

        Never the checkout this package was installed from: run from elsewhere, that would
        grade (or reset) some other kata than the one the learner means."""
        start = (start or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            if is_project(folder):
                return cls(folder)
        raise NoProject(
            f"no kata checkout in {start} or above it: cd into your checkout of the kata "
            "(the folder holding kata/ and tests/graders/), or pass --project DIR."
        )

    @property
    def kata(self) -> Path:
        return self.root / "kata"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def state_path(self) -> Path:
        return self.root / STATE_FILE

    @property
    def backups(self) -> Path:
        return self.kata / BACKUP_DIR

    def learner_file(self, exercise: Exercise) -> Path:
        return self.kata / exercise.filename

    def solution_file(self, exercise: Exercise) -> Path:
        return self.solutions / exercise.filename

    def relative(self, path: Path) -> str:
        """A path as the learner sees it from the project root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def grade(self, exercises: Sequence[Exercise] = EXERCISES, *, reuse: bool = False) -> Grades:
        """Grade the learner's kata/ with the project's graders (pytest, in this process; the
        learner's code in workers).

        With `reuse`, a grade pytest gave earlier for the very same inputs is taken as it is
        (see cache.py). An exercise whose grader file is missing is not graded (the runner
        leaves it out) and is reported as not run."""
        exercises = list(exercises)
        remembered = GradeCache.load(self.root)
        before = cache.keys(self.root, exercises)
        reused = {
            e.module: result
            for e in exercises
            if reuse and (result := remembered.get(e, before[e.module])) is not None
        }
        pending = [e for e in exercises if e.module not in reused]
        graded = runner.grade(self.kata, pending, root=self.root)
        after = cache.keys(self.root, pending)
        for result in graded.report.exercises:
            module = result.exercise.module
            if after[module] == before[module]:  # not saved again meanwhile
                remembered.put(result, after[module])
        if pending:
            remembered.save()
        found = {r.exercise.module: r for r in graded.report.exercises} | reused
        results = [found.get(e.module) or self._ungraded(e) for e in exercises]
        return Grades(Report(str(self.kata), results), graded.output, set(reused))

    def _ungraded(self, exercise: Exercise) -> ExerciseResult:
        grader = self.relative(runner.grader_path(exercise, self.root))
        return ExerciseResult(exercise, [TestResult("(no grader)", Kind.NO_GRADER, grader)])
