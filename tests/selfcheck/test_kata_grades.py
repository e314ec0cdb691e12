"""The kata as a learner finds it grades 0/8, "not implemented yet"; a kata holding some
solutions passes exactly those exercises. Graded as the CLI grades: runner.grade."""

import shutil
from pathlib import Path

import pytest

from autodiff_kata import runner, wording
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES
from autodiff_kata.results import Status

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)


def grade(kata):
    return runner.grade(kata, root=PROJECT.root)


def statuses(report):
    return {result.exercise.module: result.status for result in report.exercises}


def test_untouched_kata_grades_zero_with_every_exercise_not_implemented():
    report = grade(PROJECT.root / "kata").report
    assert statuses(report) == {e.module: Status.NOT_IMPLEMENTED for e in EXERCISES}
    for result in report.exercises:
        said = wording.message(result.exercise, result.first, f"kata/{result.exercise.filename}")
        assert result.first.call in result.exercise.functions, said
        assert f"open kata/{result.exercise.filename} and write" in said, said


@pytest.mark.parametrize("parity", [1, 0], ids=["odd solutions", "even solutions"])
def test_a_kata_holding_some_solutions_passes_exactly_those(tmp_path, parity):
    solved = [e for e in EXERCISES if e.number % 2 == parity]
    kata = tmp_path / "kata"
    shutil.copytree(PROJECT.root / "kata", kata)
    for exercise in solved:
        shutil.copy(PROJECT.solutions / exercise.filename, kata / exercise.filename)
    expected = {e.module: Status.NOT_IMPLEMENTED for e in EXERCISES} | {
        e.module: Status.PASSED for e in solved
    }
    assert statuses(grade(kata).report) == expected
