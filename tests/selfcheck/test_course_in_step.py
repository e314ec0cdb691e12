"""The registry, the stubs, the solutions and the graders describe the same course."""

import difflib
from pathlib import Path

import pytest

from autodiff_kata import docs, stubs
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, PARTS, UnknownExercise, find

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)

KATA = PROJECT.root / "kata"
SOLUTIONS = PROJECT.solutions
GRADERS = PROJECT.root / "tests" / "graders"


def test_every_exercise_has_a_stub_a_solution_and_a_grader():
    for exercise in EXERCISES:
        for path in (
            KATA / exercise.filename,
            SOLUTIONS / exercise.filename,
            GRADERS / f"test_{exercise.module}.py",
        ):
            assert path.is_file(), f"exercise {exercise.label}: {path} is missing"


def test_no_file_is_left_out_of_the_registry():
    modules = {e.filename for e in EXERCISES}
    for folder in (KATA, SOLUTIONS):
        extra = {p.name for p in folder.glob("*.py")} - modules
        assert not extra, f"{folder.name}/ holds modules the registry does not list: {extra}"
    graders = {f"test_{e.module}.py" for e in EXERCISES}
    extra = {p.name for p in GRADERS.glob("test_*.py")} - graders
    assert not extra, f"graders for no registered exercise: {extra}"


def test_registry_order_is_the_file_order_and_every_entry_is_complete():
    assert [e.module for e in EXERCISES] == sorted(e.module for e in EXERCISES)
    assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    for exercise in EXERCISES:
        assert exercise.module.startswith(f"ex{exercise.number:02d}_"), exercise
        assert len(exercise.hints) >= 2, f"{exercise.name}: give at least two hint tiers"
        assert exercise.functions, f"{exercise.name}: name the functions the learner writes"


def test_the_registry_knows_which_graders_compile_through_aot_autograd():
    """What a worker prepares before it is needed is read from the registry."""
    for exercise in EXERCISES:
        grader = (GRADERS / f"test_{exercise.module}.py").read_text()
        through_aot = 'backend_name = "aot_eager"' in grader
        assert exercise.aot_autograd == through_aot, (
            f"exercise {exercise.label}: its grader {'does' if through_aot else 'does not'}"
            f" compile with aot_eager; set aot_autograd = {str(through_aot).lower()}"
            " in exercises.toml"
        )
        assert exercise.graph_mode or not exercise.aot_autograd, exercise.label


@pytest.mark.parametrize("key", ["3", 3, "second_derivative", "ex03_second_derivative"])
def test_find_accepts_number_name_and_module(key):
    assert find(key).number == 3


def test_find_names_the_exercises_when_the_key_is_unknown():
    with pytest.raises(UnknownExercise, match=r"1 \(first_derivative\).*8 \("):
        find("nine")


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.module)
def test_stub_is_its_solution_with_the_bodies_taken_out(exercise):
    expected = stubs.stub_text(exercise, (SOLUTIONS / exercise.filename).read_text())
    stub = (KATA / exercise.filename).read_text()
    drift = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            stub.splitlines(keepends=True),
            f"made from solutions/{exercise.filename}",
            f"kata/{exercise.filename}",
        )
    )
    assert not drift, f"the stub drifted from its solution (autodiff-kata reset --all):\n{drift}"


def test_kata_holds_nothing_but_the_stubs():
    names = {p.name for p in KATA.iterdir() if not p.name.startswith((".", "__pycache__"))}
    extra = names - {e.filename for e in EXERCISES}
    assert not extra, f"kata/ is the learner's submission and holds only the stubs: {extra}"


def test_the_course_tables_give_every_exercise_its_row():
    rows = [line for line in docs.course().splitlines() if line.startswith("| ")]
    for exercise in EXERCISES:
        mine = [row for row in rows if row.startswith(f"| {exercise.number} |")]
        assert len(mine) == 2, f"exercise {exercise.label}: {len(mine)} rows, not 2, in {rows}"
        assert f"`{exercise.filename}`" in mine[0] and exercise.tensorflow in mine[0]
        assert exercise.example in mine[1] and exercise.values in mine[1]


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.module)
def test_every_exercise_has_its_workloads_and_its_grader_cases(exercise):
    workloads = exercise.workloads()  # autodiff_kata/workloads/<module>.py
    assert hasattr(workloads, "PROBE"), f"{workloads.__name__}: give PROBE (None for no probe)"
    assert hasattr(workloads, "BENCHMARKS"), f"{workloads.__name__}: give BENCHMARKS, () for none"
    for case in workloads.BENCHMARKS:
        assert case.exercise in (None, exercise.module), (
            f"{workloads.__name__}: benchmark {case.id} times {case.exercise}, another exercise"
        )
    cases = PROJECT.root / "tests" / "submissions" / f"{exercise.module}.toml"
    assert cases.is_file(), f"exercise {exercise.label}: list its grader cases in {cases}"


def test_every_part_has_exercises_and_they_come_in_order():
    parts = [e.part for e in EXERCISES]
    assert parts == sorted(parts), "the exercises of a part come together, parts in order"
    assert set(parts) <= set(PARTS), (
        f"parts with no title in exercises.toml: {set(parts) - set(PARTS)}"
    )
