"""What a grading run found: small dataclasses, written to and read from results.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_IMPLEMENTED = "not implemented yet"
    ERROR = "error"  # the module did not load: syntax error, import error, missing function
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the grading process died (hard exit, segfault); set by the runner
    NOT_RUN = "not run"


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
    status: Status
    message: str = ""
    duration: float = 0.0


@dataclass
class ExerciseResult:
    number: int
    name: str
    title: str
    module: str
    tests: list[TestResult] = field(default_factory=list)

    @property
    def status(self) -> Status:
        statuses = {t.status for t in self.tests}
        return next((s for s in _PRECEDENCE if s in statuses), Status.NOT_RUN)

    @property
    def message(self) -> str:
        """The first message of a test that has the exercise's status: the one to read first."""
        return next((t.message for t in self.tests if t.status == self.status and t.message), "")


@dataclass
class Running:
    """The test in progress when the report was written: what a dead process was doing."""

    module: str
    test: str
    since: float  # time.time()


@dataclass
class Report:
    impl: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    running: Running | None = None

    @property
    def passed(self) -> int:
        return sum(e.status == Status.PASSED for e in self.exercises)

    def to_dict(self) -> dict:
        return {
            "impl": self.impl,
            "passed": self.passed,
            "total": len(self.exercises),
            "exercises": [
                {**asdict(e), "status": e.status.value, "message": e.message}
                for e in self.exercises
            ],
            "running": asdict(self.running) if self.running else None,
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2, default=str) + "\n")

    @classmethod
    def read(cls, path: Path) -> Report:
        data = json.loads(path.read_text())
        exercises = [
            ExerciseResult(
                number=e["number"],
                name=e["name"],
                title=e["title"],
                module=e["module"],
                tests=[
                    TestResult(t["name"], Status(t["status"]), t["message"], t["duration"])
                    for t in e["tests"]
                ],
            )
            for e in data["exercises"]
        ]
        running = Running(**data["running"]) if data.get("running") else None
        return cls(impl=data["impl"], exercises=exercises, running=running)
