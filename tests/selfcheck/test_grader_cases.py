"""The grader is itself graded: every submission in tests/submissions/ must get the status
that its exercise's case list gives it, with a message naming the mistake it makes.

Each exercise lists its cases in tests/submissions/<module>.toml, one [[case]] per folder
beside it that holds one module of that exercise:

  name       the folder
  status     the exercise's expected status: passed | failed | not implemented yet | error | timeout
  says       (not for passed) a case-sensitive substring of the exercise's message that pins
             the mistake it must name
  time_limit (optional) --exercise-time-limit for this case, in seconds

Each case runs its exercise's grader through the runner, in this process, as `check` does: the
submission's code runs in a worker, and the checks below make sure that nothing of it reached
this process.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from autodiff_kata import runner, wording
from autodiff_kata.engine.supervisor import Limits
from autodiff_kata.grading import likely
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import ExerciseResult, Status
from autodiff_kata.spies import REAL_COMPILE, REAL_SGD

PROJECT = Project.locate(Path(__file__).parent)
SUBMISSIONS = PROJECT.root / "tests" / "submissions"

# Seconds each grader test may spend in the submission's code. The learner's default (30) is
# what a correct graph-mode submission needs on a slow, busy machine; only a hang pays for
# it, and the hanging case sets its own limit.
TIME_LIMIT = 20.0


@dataclass(frozen=True)
class Case:
    name: str
    exercise: Exercise
    status: str
    says: str | None = None
    time_limit: float = TIME_LIMIT

    @property
    def folder(self) -> Path:
        return SUBMISSIONS / self.name


def case_list(exercise: Exercise) -> Path:
    return SUBMISSIONS / f"{exercise.module}.toml"


def _load_cases() -> list[Case]:
    """Every exercise's cases, in course order (an exercise without a list has none)."""
    return [
        Case(exercise=exercise, **entry)
        for exercise in EXERCISES
        if case_list(exercise).is_file()
        for entry in tomllib.loads(case_list(exercise).read_text())["case"]
    ]


CASES = _load_cases()


def grade(case: Case, exercise: Exercise) -> ExerciseResult:
    """Run the exercise's grader on the case's folder, as `check` does.

    --maxfail=1: the first failing test's message is the one the learner reads first (and
    the one the board shows), and the tests after it would only cost time."""
    graded = runner.grade(
        case.folder,
        [exercise],
        root=PROJECT.root,
        limits=Limits(seconds=case.time_limit),
        extra_args=["--maxfail=1"],
    )
    assert graded.exit_code in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), (
        f"grading {case.name} did not run its tests: pytest exit code {graded.exit_code!r}\n"
        + graded.output
    )
    found = [e for e in graded.report.exercises if e.exercise == exercise]
    assert len(found) == 1, f"grading {case.name}: no result for {exercise.module}"
    return found[0]


def assert_nothing_leaked() -> None:
    """Grading ran the submission elsewhere: nothing of it is loaded here."""
    assert torch.compile is REAL_COMPILE, "torch.compile was replaced in the grading process"
    assert torch.optim.SGD is REAL_SGD, "torch.optim.SGD was replaced in the grading process"
    assert torch.is_grad_enabled(), "grading left autograd disabled"
    assert torch.get_default_dtype() == torch.float32, "grading left another default dtype"
    loaded = [name for name in sys.modules if name.startswith("_submission_")]
    assert not loaded, f"submission modules loaded in the grading process: {loaded}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_grader_grades_the_submission(case: Case) -> None:
    exercise = case.exercise
    result = grade(case, exercise)
    assert_nothing_leaked()
    first = result.first
    said = wording.message(exercise, first, str(case.folder / exercise.filename)) if first else ""
    verdict = (
        f"{case.name}: expected {case.status!r}"
        + (f" with a message saying {case.says!r}" if case.says else "")
        + f"; got {result.status.value!r} with the message:\n{said or '(none)'}"
    )
    assert result.status == Status(case.status), verdict
    if case.says:
        assert case.says in said, verdict
    if first:  # a mistake named in words is named as data too, for compare's class counts
        assert (likely(first.mistake) in said) == bool(first.mistake), verdict


# the cases themselves ---------------------------------------------------------------------


def test_every_folder_is_a_case_and_every_case_a_folder() -> None:
    folders = {p.name for p in SUBMISSIONS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    names = [case.name for case in CASES]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f"cases listed twice: {duplicates}"
    lists = {p.name for p in SUBMISSIONS.glob("*.toml")}
    extra = lists - {case_list(e).name for e in EXERCISES}
    assert not extra, f"case lists of no exercise in the registry: {sorted(extra)}"
    assert not folders - set(names), f"folders without an entry: {sorted(folders - set(names))}"
    assert not set(names) - folders, f"entries without a folder: {sorted(set(names) - folders)}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case_is_well_formed(case: Case) -> None:
    exercise = case.exercise
    status = Status(case.status)
    assert status not in (Status.CRASHED, Status.NOT_RUN), "the runner's statuses, not a grade"
    if status == Status.PASSED:
        assert case.says is None, f"{case.name} passes: it has no message to say anything"
    else:
        assert case.says, f"{case.name}: give `says`, what the message must name"
    modules = sorted(p.name for p in case.folder.iterdir() if p.suffix == ".py")
    assert modules == [exercise.filename], (
        f"{case.name}: the folder holds {modules}, not just {exercise.filename}"
    )
    first_line = (case.folder / exercise.filename).read_text().splitlines()[0]
    assert re.fullmatch(r'""".+\."""', first_line), (
        f"{case.name}: the module starts with a one-line docstring saying what the case is, "
        f"not {first_line!r}"
    )


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.name)
def test_every_exercise_has_a_passing_and_a_failing_case(exercise: Exercise) -> None:
    statuses = {Status(c.status) for c in CASES if c.exercise == exercise}
    assert Status.PASSED in statuses, f"no correct submission of {exercise.name} is checked"
    assert Status.FAILED in statuses, f"no wrong submission of {exercise.name} is checked"
