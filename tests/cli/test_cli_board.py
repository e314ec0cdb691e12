"""The board and `check`: what a learner sees first, and the grades behind it."""

from __future__ import annotations

import json
import subprocess
import sys

from autodiff_kata import cache, results
from autodiff_kata.cache import GradeCache
from autodiff_kata.registry import EXERCISES, find
from autodiff_kata.results import ExerciseResult, Kind, Report, Status


def test_board_on_untouched_stubs_from_inside_the_project_not_a_terminal(kata):
    # Run from kata/, as a learner with their editor there would: the project is found above.
    done = kata.run(cwd=kata.root / "kata")

    assert done.returncode == 1, done.stderr
    assert "\x1b[" not in done.stdout  # a pipe gets plain text, no colour codes
    lines = done.stdout.splitlines()
    rows = [next(i for i, line in enumerate(lines) if e.title in line) for e in EXERCISES]
    assert rows == sorted(rows), "every exercise, in course order"
    for exercise, row in zip(EXERCISES, rows, strict=True):
        word = "not started" if kata.graded(exercise) else "no grader"
        assert lines[row].rstrip().endswith(word), lines[row]
    first = next(e for e in EXERCISES if kata.graded(e))
    (pointed,) = [line for line in lines if line.startswith(("▶", ">"))]
    assert first.title in pointed, "the next exercise to do is marked"
    assert f"0/{len(EXERCISES)} exercises pass" in done.stdout
    assert f"next: {first.label}" in done.stdout
    assert f"kata/{first.filename}" in done.stdout


def test_board_after_copying_one_solution_in(kata):
    ex01 = find(1)
    kata.solve(ex01)

    code, out, _ = kata.cli("status", "--json")

    board = json.loads(out)
    assert code == 1, "seven exercises still to do"
    assert board["passed"] == 1
    assert board["total"] == len(EXERCISES)
    assert [e["number"] for e in board["exercises"]] == [e.number for e in EXERCISES]
    assert board["exercises"][0]["progress"] == "pass"
    assert all(e["progress"] != "pass" for e in board["exercises"][1:])
    upcoming = next((e for e in EXERCISES[1:] if kata.graded(e)), None)
    assert board["next"] == (
        {"number": upcoming.number, "name": upcoming.name, "title": upcoming.title}
        if upcoming
        else None
    )

    assert not any(e["remembered"] for e in board["exercises"])

    code, out, _ = kata.cli("check", "first_derivative")

    assert code == 0, out
    assert f"{ex01.label} — pass" in out
    assert "solution 1" in out  # the reference is offered once it passes

    # Nothing changed since: pytest's grades are reused, with no pytest run.
    code, out, _ = kata.cli("status", "--json")
    again = json.loads(out)
    assert code == 1
    assert all(e["remembered"] for e in again["exercises"] if kata.graded(find(e["number"])))
    assert [e["progress"] for e in again["exercises"]] == [
        e["progress"] for e in board["exercises"]
    ]


def one_test(exercise, kind):
    return ExerciseResult(exercise, [results.TestResult("test_it", kind)])


def test_a_grade_is_reused_only_while_nothing_it_depends_on_changes(kata):
    ex01, ex02 = find(1), find(2)
    before = cache.keys(kata.root, [ex01, ex02])
    remembered = GradeCache.load(kata.root)
    passed = one_test(ex01, Kind.PASSED)
    remembered.put(passed, before[ex01.module])
    remembered.save()
    assert GradeCache.load(kata.root).get(ex01, before[ex01.module]) == passed

    with kata.file(ex01).open("a") as file:
        file.write("# one more line\n")
    edited = cache.keys(kata.root, [ex01, ex02])
    assert edited[ex01.module] != before[ex01.module]
    assert edited[ex02.module] == before[ex02.module]
    assert GradeCache.load(kata.root).get(ex01, edited[ex01.module]) is None

    (kata.root / "tests" / "graders" / f"test_{ex02.module}.py").write_text("# changed\n")
    assert cache.keys(kata.root, [ex02])[ex02.module] != before[ex02.module]

    crashed = one_test(ex01, Kind.KILLED)
    remembered.put(crashed, edited[ex01.module])  # depends on the machine: never reused
    assert remembered.get(ex01, edited[ex01.module]) is None


def test_check_gives_the_graders_own_messages_the_same_as_pytest(kata, tmp_path):
    ex01 = find(1)
    kata.file(ex01).write_text(
        "import torch\n\n\ndef first_derivative(f, x):\n    return torch.full_like(x, 2.0)\n"
    )

    code, out, _ = kata.cli("check", "1")

    results_json = tmp_path / "results.json"
    root = kata.root
    grader = root / "tests" / "graders" / f"test_{ex01.module}.py"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(root / "pyproject.toml"),
         "--rootdir", str(root), "-p", "no:cacheprovider", "-q", f"--impl={root / 'kata'}",
         f"--results-json={results_json}", str(grader)],
        cwd=tmp_path, capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    (by_pytest,) = Report.from_dict(json.loads(results_json.read_text())).exercises
    assert code == 1
    assert by_pytest.status.value in out, "the same grade as pytest's"
    failing = [t for t in by_pytest.tests if t.status != Status.PASSED]
    assert failing, "a hard-coded 2.0 fails the graders"
    for test in failing:
        assert test.name in out
        assert test.detail.splitlines()[0] in out, "the grader's own message"
    assert "hint 1" in out
