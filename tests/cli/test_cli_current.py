"""hint, solution and watch without a number: the current exercise, the first that does not
pass. These tests stand in for the grading run, so they say which exercises it was asked for."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from autodiff_kata import cli, watch
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, find
from autodiff_kata.view import Progress


@pytest.fixture
def grading(monkeypatch):
    """Project.grade replaced: records what it was asked to grade; `failing` is what the
    board would point at among them (None: they all pass)."""
    calls = SimpleNamespace(asked=[], failing=None)

    def grade(project, exercises=EXERCISES, *, reuse=False):
        calls.asked.append(([e.number for e in exercises], reuse))
        return SimpleNamespace(report=SimpleNamespace(exercises=list(exercises)))

    def up_next(report):
        failing = next((e for e in report.exercises if e.number == calls.failing), None)
        return failing and SimpleNamespace(number=failing.number, exercise=failing)

    monkeypatch.setattr(Project, "grade", grade)
    monkeypatch.setattr(cli, "up_next", up_next)
    return calls


def test_on_untouched_stubs_hint_is_for_the_first_exercise_with_no_grading(kata, grading):
    code, out, _ = kata.cli("hint", "--json")

    assert code == 0
    assert json.loads(out)["exercise"] == find(1).name
    assert grading.asked == [], "a stub cannot pass: nothing to grade"


def test_the_exercises_before_the_first_stub_are_graded_reusing_grades(kata, grading):
    ex01, ex02, ex03 = find(1), find(2), find(3)
    kata.solve(ex01)
    kata.solve(ex02)

    code, out, _ = kata.cli("hint", "--json")
    assert code == 0
    assert json.loads(out)["exercise"] == ex03.name, "01 and 02 pass: the first stub"
    assert grading.asked == [([1, 2], True)]

    grading.failing = 2
    code, out, _ = kata.cli("hint")
    assert code == 0
    assert f"Hints for {ex02.label}" in out


def test_a_missing_file_counts_as_not_passing(kata, grading):
    kata.solve(find(1))
    kata.file(find(2)).unlink()

    code, out, _ = kata.cli("hint")

    assert code == 0
    assert f"Hints for {find(2).label}" in out


def test_when_every_exercise_passes_the_learner_names_one(kata, grading):
    for exercise in EXERCISES:
        kata.solve(exercise)

    for command in ("hint", "solution"):
        code, out, err = kata.cli(command)
        assert code == 2
        assert out == ""
        assert "every exercise passes" in err
        assert f"({command} 3)" in err


def test_solution_defaults_to_the_current_exercise(kata, grading):
    kata.solve(find(1))
    reference = (kata.root / "solutions" / find(2).filename).read_text()

    code, out, _ = kata.cli("solution", "--force")

    assert code == 0
    assert f"Reference solution of {find(2).label}" in out
    assert reference.splitlines()[-1] in out


def test_watch_takes_the_exercise_to_start_from(kata, monkeypatch):
    started = []
    monkeypatch.setattr(watch, "run", lambda project, out, **options: started.append(options) or 0)

    assert kata.cli("watch", "5")[0] == 0
    assert kata.cli("watch")[0] == 0
    beyond = str(len(EXERCISES) + 1)
    code, _, err = kata.cli("watch", beyond)

    assert [options["start"] for options in started] == [find(5), None]
    assert code == 2
    assert f"no exercise '{beyond}'" in err


def test_watch_from_an_exercise_goes_on_after_it_then_back_to_the_first(monkeypatch):
    done = {1, 3, 5}
    results = [SimpleNamespace(number=e.number, exercise=e) for e in EXERCISES]
    report = SimpleNamespace(exercises=results)
    monkeypatch.setattr(
        watch, "progress", lambda r: Progress.PASS if r.number in done else Progress.NOT_STARTED
    )
    monkeypatch.setattr(
        watch, "up_next", lambda rep: next(r for r in rep.exercises if r.number not in done)
    )

    assert watch._current(report, None).number == 2, "no start: the board's next"
    assert watch._current(report, find(4)).number == 4
    assert watch._current(report, find(5)).number == 6, "05 passes: on to the next after it"
    done |= {e.number for e in EXERCISES if e.number > 5}
    assert watch._current(report, find(5)).number == 2, "none left after it: back to the first"
