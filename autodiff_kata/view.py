"""How grades read: the board and the graders' messages, in colour on a terminal and as
plain text anywhere else (CI logs, pipes), and as JSON for tools."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import StrEnum

from rich.console import Console
from rich.text import Text

from autodiff_kata import wording, words
from autodiff_kata.project import Grades, Project
from autodiff_kata.registry import PARTS
from autodiff_kata.results import ExerciseResult, Report, Status, TestResult


class Progress(StrEnum):
    """Where the learner stands on one exercise: the board's four words."""

    PASS = "pass"
    FAIL = "fail"
    NOT_STARTED = "not started"  # the function still raises the stub's NotImplementedError
    NO_GRADER = "no grader"


def progress(result: ExerciseResult) -> Progress:
    status = result.status
    if status == Status.PASSED:
        return Progress.PASS
    if status == Status.NOT_IMPLEMENTED:
        return Progress.NOT_STARTED
    if status == Status.NOT_RUN:
        return Progress.NO_GRADER
    return Progress.FAIL


def up_next(report: Report) -> ExerciseResult | None:
    """The first exercise, in course order, that does not pass and can be graded."""
    return next(
        (r for r in report.exercises if progress(r) in (Progress.FAIL, Progress.NOT_STARTED)),
        None,
    )


def all_pass(report: Report) -> bool:
    return all(progress(r) == Progress.PASS for r in report.exercises)


def detail(result: ExerciseResult, width: int = 72) -> str:
    """What went wrong, in a few words that fit `width`."""
    if progress(result) in (Progress.PASS, Progress.NOT_STARTED):
        return ""
    what = wording.summary(result.first)
    return what if len(what) <= width else what[: width - 1] + "…"


def message(project: Project, result: ExerciseResult, test: TestResult) -> str:
    """A test's outcome in full, as the learner reads it."""
    file = project.relative(project.learner_file(result.exercise))
    return wording.message(result.exercise, test, file)


@dataclass(frozen=True)
class Marks:
    passed: str
    failed: str
    not_started: str
    no_grader: str
    pointer: str
    dash: str

    def of(self, kind: Progress) -> str:
        return {
            Progress.PASS: self.passed,
            Progress.FAIL: self.failed,
            Progress.NOT_STARTED: self.not_started,
            Progress.NO_GRADER: self.no_grader,
        }[kind]


UNICODE = Marks("✓", "✗", "·", "?", "▶", "—")
ASCII = Marks("+", "x", ".", "?", ">", "-")
STYLE = {
    Progress.PASS: "green",
    Progress.FAIL: "red",
    Progress.NOT_STARTED: "dim",
    Progress.NO_GRADER: "yellow",
}


class Output:
    """Everything the command line prints goes through here."""

    def __init__(self, prog: str) -> None:
        self.prog = prog
        self.console = Console(highlight=False, soft_wrap=True, emoji=False)
        # A terminal wraps long lines at words; logs and pipes get each line whole.
        self.console.soft_wrap = not self.console.is_terminal
        self.errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
        encoding = (getattr(sys.stdout, "encoding", "") or "").lower()
        self.marks = UNICODE if "utf" in encoding else ASCII

    @property
    def terminal(self) -> bool:
        return self.console.is_terminal

    def print(self, *parts: str | tuple[str, str] | Text) -> None:
        """One line: plain strings, or (text, style) pairs that only a terminal shows."""
        self.console.print(Text.assemble(*parts))

    def error(self, message: str) -> None:
        self.errors.print(Text.assemble((f"{self.prog}: ", "bold red"), message))

    def json(self, data: object) -> None:
        sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
        sys.stdout.flush()

    def command(self, *args: object) -> tuple[str, str]:
        """A command to type: in colour on a terminal, between backquotes in plain text."""
        text = " ".join([self.prog, *map(str, args)])
        return (text, "cyan") if self.terminal else (f"`{text}`", "")

    # the board ---------------------------------------------------------------------------

    def board(self, project: Project, report: Report, watching: bool = False) -> None:
        """One line per exercise in course order under its part's heading, the next one to do
        marked, the total."""
        total = len(report.exercises)
        self.print((f"autodiff kata: {report.passed}/{total} exercises pass", "bold"))
        for part, results in report.parts().items():
            self.print((wording.part_heading(part, results), "bold"))
            self.board_lines(report, results)
        self.next_steps(project, report, watching)

    def board_lines(self, report: Report, part: Report) -> None:
        upcoming = up_next(report)
        width = max(len(r.exercise.title) for r in report.exercises)
        for result in part.exercises:
            kind = progress(result)
            is_next = result is upcoming
            pointer = self.marks.pointer if is_next else " "
            style = "bold yellow" if is_next else STYLE[kind]
            words = kind.value
            if kind == Progress.FAIL and result.status != Status.FAILED:
                words += f" ({result.status.value})"  # error, timeout, crashed
            # On a terminal the line fits its width; `check` gives the message in full.
            room = self.console.width - (11 + width + len(words)) if self.terminal else 60
            what = detail(result, max(room, 20))
            words += f": {what}" if what else ""
            self.print(
                (f"{pointer} {self.marks.of(kind)} ", style),
                (f"{result.exercise.number:02d} {result.exercise.title:<{width}}  ", style),
                (words, "bold yellow" if is_next else STYLE[kind]),
            )

    def next_steps(self, project: Project, report: Report, watching: bool = False) -> None:
        upcoming = up_next(report)
        if upcoming is None:
            if all_pass(report):
                self.print(("All done: every exercise passes.", "bold green"))
            return
        exercise = upcoming.exercise
        edit = f"edit {project.relative(project.learner_file(exercise))}"
        check = self.command("check", exercise.number)
        then = [f"{edit} and save it"] if watching else [f"{edit}, then ", check]
        self.print(
            (f"next: {exercise.label} {self.marks.dash} ", "bold"),
            *then,
            "  (stuck? ",
            self.command("hint", exercise.number),
            ")",
        )

    def remembered(self, count: int) -> None:
        if count:
            self.print(
                (f"({words.count(count, 'grade')} reused: their files have not changed since "
                 "pytest gave them; ",
                 "dim"),
                self.command("status", "--fresh"),
                (" grades again.)", "dim"),
            )  # fmt: skip

    # one exercise in full ------------------------------------------------------------------

    def result(self, project: Project, result: ExerciseResult) -> None:
        """An exercise's grade with every message its graders gave, as they gave it."""
        kind = progress(result)
        exercise = result.exercise
        headline = kind.value if kind != Progress.FAIL else result.status.value
        self.print(
            (f"{self.marks.of(kind)} {exercise.label} {self.marks.dash} {headline}", STYLE[kind]),
        )
        if kind == Progress.PASS:
            passed = sum(t.status == Status.PASSED for t in result.tests)
            self.print(
                f"  {words.all_of_its(passed, 'test')} {words.verb(passed, 'passes', 'pass')}. "
                "Compare with the reference: ",
                self.command("solution", exercise.number),
            )
            return
        shown: set[str] = set()
        for test in result.tests:
            text = message(project, result, test)
            if test.status == Status.PASSED or not text or text in shown:
                continue
            shown.add(text)
            self.print((f"  {test.name}", "bold"))
            for line in text.splitlines():
                self.print(f"    {line}")
        if kind in (Progress.FAIL, Progress.NOT_STARTED):
            self.print(
                f"  edit {project.relative(project.learner_file(exercise))}; stuck? ",
                self.command("hint", exercise.number),
            )


def report_json(project: Project, grades: Grades, command: str) -> dict:
    """Report.to_dict(), with what a tool needs to act on it: the board's words, the files,
    which grades were remembered rather than given by pytest just now."""
    report = grades.report
    data = report.to_dict()
    upcoming = up_next(report)
    data["command"] = command
    data["project"] = str(project.root)
    data["all_pass"] = all_pass(report)
    data["parts"] = [
        {"number": part, "title": PARTS[part], "passed": results.passed,
         "total": len(results.exercises)}
        for part, results in report.parts().items()
    ]  # fmt: skip
    for entry, result in zip(data["exercises"], report.exercises, strict=True):
        exercise = result.exercise
        entry["part"] = exercise.part
        entry["progress"] = progress(result).value
        entry["file"] = str(project.learner_file(exercise))
        entry["remembered"] = exercise.module in grades.reused
        first = result.first
        entry["message"] = message(project, result, first) if first else ""
        for test_entry, test in zip(entry["tests"], result.tests, strict=True):
            test_entry["message"] = message(project, result, test)
    data["next"] = (
        {
            "number": upcoming.exercise.number,
            "name": upcoming.exercise.name,
            "title": upcoming.exercise.title,
        }
        if upcoming
        else None
    )
    return data
