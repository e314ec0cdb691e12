"""feedback/<submission>.md: what the student reads about their submission, in the words a
Gradescope autograder shows them (gradescope.exercise_output, worded by wording.py), their
module named as they know it (kata/exNN_….py) and no folder of the instructor's machine."""

from __future__ import annotations

from collections.abc import Sequence

from autodiff_kata import words
from autodiff_kata.compare.batch import Row
from autodiff_kata.compare.neutral import markdown_fenced, markdown_inline
from autodiff_kata.gradescope import exercise_output, scrub
from autodiff_kata.registry import Exercise
from autodiff_kata.results import ExerciseResult, TestResult


def markdown(row: Row, exercises: Sequence[Exercise]) -> str:
    places = {row.folder + "/": "kata/", row.folder: "kata"}
    total = len(exercises)
    lines = [
        "# Your autodiff kata, graded",
        "",
        f"{row.passed} of {words.count(total, 'exercise')} "
        f"{words.verb(row.passed, 'passes', 'pass')}.",
    ]
    if row.problem:
        problem = markdown_inline(scrub(row.problem, places))
        lines.append(f"Your submission could not be graded ({problem}); tell your instructor.")
    failing = [e for e, c in zip(exercises, row.cells, strict=True) if not c.passed]
    if failing and not row.problem:
        lines.append(f"Next: {markdown_inline(failing[0].label)}.")
    if row.sha256:
        lines.append(f"Files graded: sha256 {row.sha256}.")
    for exercise, cell in zip(exercises, row.cells, strict=True):
        tests = [TestResult.from_dict(t) for t in cell.tests]
        result = ExerciseResult(exercise, tests) if tests else None
        said = exercise_output(result, places)
        lines += ["", f"## {markdown_inline(exercise.label)}: {cell.status}", ""]
        lines.append(markdown_fenced(said))
    return "\n".join(lines) + "\n"
