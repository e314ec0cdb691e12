"""Whatever a submission does, the engine holds: each exercise gets its own verdict, the board
prints and the run fails, nothing the submission started outlives the run, no file outside
the submission changes, no result is rewritten after the run, and what the run prints stays
readable. Each check runs on every case of conftest.CASES, through plain pytest and `check`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from autodiff_kata.registry import EXERCISES, PARTS

SUBMISSIONS = Path(__file__).parent / "submissions"
BOUNDED = 1_000_000  # characters a run prints, and bytes of its report
BOTH_WAYS = pytest.mark.parametrize("way", ["pytest", "check"])


@BOTH_WAYS
def test_every_exercise_gets_its_own_verdict(grading, way):
    graded = grading.ways[way]
    got = graded.verdicts()
    expected = grading.case.verdicts()
    for number, verdict in expected.items():  # a kind left open takes the one it got
        if verdict.kind is None and number in got:
            expected[number] = dataclasses.replace(verdict, kind=got[number].kind)
    assert got == expected, f"{way}: exit code {graded.code}\n{graded.err[-3000:]}"


@BOTH_WAYS
def test_the_board_prints_and_the_run_fails(grading, way):
    graded = grading.ways[way]
    statuses = [grading.case.verdicts()[e.number].status for e in EXERCISES]
    passed = statuses.count("passed")
    assert graded.code == 1, f"{way}: exit code {graded.code}\n{graded.err[-3000:]}"
    if way == "check":  # its board, as JSON
        report = graded.report
        assert [e["status"] for e in report["exercises"]] == statuses
        total = len(EXERCISES)
        assert (report["passed"], report["total"], report["all_pass"]) == (passed, total, False)
        return
    lines = graded.out.splitlines()
    starts = [i for i, line in enumerate(lines) if "autodiff kata: " in line]
    assert starts, f"no board in pytest's output:\n{graded.out[-3000:]}"
    shown = lines[starts[-1] + 1 :]
    headings = [line for line in shown if line.startswith("Part ")]
    assert [h.split(":")[0] for h in headings] == [f"Part {p}" for p in sorted(PARTS)], shown
    board = [line for line in shown if not line.startswith("Part ")][: len(EXERCISES) + 1]
    for exercise, status, line in zip(EXERCISES, statuses, board, strict=False):
        if status == "passed":
            assert line == f" ✓ {exercise.label}"
        else:
            assert line.startswith(f" ✗ {exercise.label} — {status}"), line
    assert board[-1] == f"{passed}/{len(EXERCISES)} exercises pass"
    assert graded.out.count("exercises pass") == 1, "a second total, claimed by someone else"


def test_nothing_it_started_outlives_the_run(grading):
    assert not grading.survivors, f"still running after the run: {grading.survivors}"


def test_nothing_it_wrote_where_anyone_may_outlives_the_run(grading):
    if grading.case.same_user:
        pytest.skip(
            "a worker under the grading user's own user writes as that user: its files "
            "cannot be told from the user's (the README: a container is the sandbox)"
        )
    assert not grading.litter, f"left after the run: {grading.litter}"


@BOTH_WAYS
def test_no_file_outside_the_submission_changed(grading, way):
    graded = grading.ways[way]
    names = graded.before.keys() | graded.after.keys()
    changed = sorted(n for n in names if graded.before.get(n) != graded.after.get(n))
    assert not changed, f"{way}: changed in the copy of the project: {changed}"


@BOTH_WAYS
def test_no_result_is_rewritten_after_the_run(grading, way):
    graded = grading.ways[way]
    assert graded.written, f"{way}: the run left no results"
    assert b"HOSTILE-CLAIM" not in graded.written, f"{way}: the results claim 8/8"
    assert graded.later == graded.written, f"{way}: the results were rewritten after the run"


def test_the_grading_user_s_shared_memory_is_left_alone(grading):
    """A worker inherits a pipe to the resource tracker of the process that started it; what
    is registered there is unlinked, by that process's user, when it ends."""
    assert grading.victim_kept, "a worker had the grading process unlink shared memory"
    for graded in grading.ways.values():
        assert "leaked shared_memory" not in graded.err


@BOTH_WAYS
def test_the_warm_parent_never_fails(grading, way):
    """A worker inherits the write end of the pipe by which the forkserver watches its
    parent: one byte there fails the forkserver's assertion, traceback and all."""
    graded = grading.ways[way]
    assert "Not at EOF" not in graded.out + graded.err


@BOTH_WAYS
def test_what_it_prints_stays_readable(grading, way):
    graded = grading.ways[way]
    for what, text in (("stdout", graded.out), ("stderr", graded.err)):
        assert len(text) < BOUNDED, f"{way}: {len(text):,} characters on {what}"
    assert len(graded.written) < BOUNDED, f"{way}: results of {len(graded.written):,} bytes"


# the attacks themselves -------------------------------------------------------------------


def test_every_folder_is_a_case(hostile_cases):
    folders = {p.name for p in SUBMISSIONS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == {case.submission for case in hostile_cases}


def test_every_attack_follows_a_stub_of_the_course(hostile_cases):
    """An attack is named after an exercise module, says what it does, and is graded: its
    exercise is neither solved by the case nor expected to be a plain stub's."""
    for case in hostile_cases:
        for path in sorted((SUBMISSIONS / case.submission).glob("*.py")):
            exercise = next((e for e in EXERCISES if e.filename == path.name), None)
            assert exercise, f"{case.submission}/{path.name}: no such exercise module"
            assert path.read_text().startswith("# --- hostile: "), f"{path}: say what it does"
            assert exercise.number not in case.solved, f"{path}: the case solves it"
            compile(case.module(exercise), path.name, "exec")
