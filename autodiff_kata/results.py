"""What a grading run found, as data: one outcome per test, grouped by exercise.

An outcome says what happened (its kind) and carries the facts a view needs to word it: the
grader's message for a wrong answer, the learner's line, the signal a worker died of. Words
for the learner are made only where they are shown (`wording`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from autodiff_kata.registry import Exercise, for_module


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_IMPLEMENTED = "not implemented yet"
    ERROR = "error"  # the module did not load: syntax error, import error, missing function
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the exercise's worker died: hard exit, signal, memory, output
    NOT_RUN = "not run"


class Kind(StrEnum):
    """What happened in one test, finer than its status."""

    PASSED = "passed"
    WRONG = "wrong answer"  # detail: the grader's message
    NOT_IMPLEMENTED = "not implemented"  # call: the function; detail: the stub's task
    MISSING_FILE = "missing file"
    SYNTAX_ERROR = "syntax error"  # line; detail: the error and the line's text
    IMPORT_ERROR = "import error"  # line; detail: the learner's frames and the error; error
    MISSING_FUNCTION = "missing function"  # call: the function
    RAISED = "raised"  # call: the call; line; detail: the learner's frames and the error; error
    TIMED_OUT = "timed out"  # the call overran its time limit and was interrupted
    HUNG = "hung"  # detail: seconds; the worker did not answer past its limit and was killed
    EXITED = "exited"  # code; detail: the last lines the worker printed
    KILLED = "killed"  # signal; detail: the last lines the worker printed
    OUT_OF_MEMORY = "out of memory"  # detail: the limit, MiB
    TOO_MUCH_OUTPUT = "too much output"  # detail: the limit, bytes
    UNREADABLE = "unreadable answer"  # detail: why the worker's answer was refused
    NO_GRADER = "no grader"  # detail: the grader's path


STATUS = {
    Kind.PASSED: Status.PASSED,
    Kind.WRONG: Status.FAILED,
    Kind.RAISED: Status.FAILED,
    Kind.UNREADABLE: Status.FAILED,
    Kind.NOT_IMPLEMENTED: Status.NOT_IMPLEMENTED,
    Kind.MISSING_FILE: Status.ERROR,
    Kind.SYNTAX_ERROR: Status.ERROR,
    Kind.IMPORT_ERROR: Status.ERROR,
    Kind.MISSING_FUNCTION: Status.ERROR,
    Kind.TIMED_OUT: Status.TIMEOUT,
    Kind.HUNG: Status.TIMEOUT,
    Kind.EXITED: Status.CRASHED,
    Kind.KILLED: Status.CRASHED,
    Kind.OUT_OF_MEMORY: Status.CRASHED,
    Kind.TOO_MUCH_OUTPUT: Status.CRASHED,
    Kind.NO_GRADER: Status.NOT_RUN,
}

# When an exercise's tests disagree, the exercise takes the most telling of their statuses.
_PRECEDENCE = [
    Status.ERROR,
    Status.CRASHED,
    Status.TIMEOUT,
    Status.NOT_IMPLEMENTED,
    Status.FAILED,
    Status.PASSED,
    Status.NOT_RUN,
]


@dataclass
class TestResult:
    name: str
    kind: Kind
    detail: str = ""
    call: str = ""  # the learner's function, or the call, the outcome is about
    line: int | None = None  # a line of the learner's file
    signal: int | None = None  # the signal the exercise's worker died of
    code: int | None = None  # the exit code the exercise's worker ended with
    error: str = ""  # the error raised, in one line: its type and its message's first line
    hint: str = ""  # what the grader adds to an outcome it recognises
    mistake: str = ""  # the likely mistake the grader named, if any
    duration: float = 0.0

    @property
    def status(self) -> Status:
        return STATUS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "kind": self.kind.value,
            "detail": self.detail,
            "call": self.call,
            "line": self.line,
            "signal": self.signal,
            "code": self.code,
            "error": self.error,
            "hint": self.hint,
            "mistake": self.mistake,
            "duration": self.duration,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        return cls(
            name=str(data["name"]),
            kind=Kind(data["kind"]),
            detail=str(data.get("detail", "")),
            call=str(data.get("call", "")),
            line=data.get("line"),
            signal=data.get("signal"),
            code=data.get("code"),
            error=str(data.get("error", "")),
            hint=str(data.get("hint", "")),
            mistake=str(data.get("mistake", "")),
            duration=float(data.get("duration", 0.0)),
        )


@dataclass
class ExerciseResult:
    exercise: Exercise
    tests: list[TestResult] = field(default_factory=list)

    @property
    def status(self) -> Status:
        statuses = {t.status for t in self.tests}
        return next((s for s in _PRECEDENCE if s in statuses), Status.NOT_RUN)

    @property
    def first(self) -> TestResult | None:
        """The first test with the exercise's status: the one that speaks for it."""
        return next((t for t in self.tests if t.status == self.status), None)


@dataclass
class Report:
    impl: str
    exercises: list[ExerciseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(e.status == Status.PASSED for e in self.exercises)

    def parts(self) -> dict[int, Report]:
        """The report split by part of the course, parts in course order."""
        found: dict[int, Report] = {}
        for result in self.exercises:
            found.setdefault(result.exercise.part, Report(self.impl)).exercises.append(result)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "impl": self.impl,
            "passed": self.passed,
            "total": len(self.exercises),
            "exercises": [
                {
                    "number": e.exercise.number,
                    "name": e.exercise.name,
                    "title": e.exercise.title,
                    "module": e.exercise.module,
                    "status": e.status.value,
                    "tests": [t.to_dict() for t in e.tests],
                }
                for e in self.exercises
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        exercises = []
        for entry in data["exercises"]:
            exercise = for_module(entry["module"])
            if exercise is None:
                raise ValueError(f"no exercise {entry['module']!r} in the registry")
            tests = [TestResult.from_dict(t) for t in entry["tests"]]
            exercises.append(ExerciseResult(exercise, tests))
        return cls(impl=data["impl"], exercises=exercises)
