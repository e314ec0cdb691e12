"""The course: every exercise, in order, read from exercises.toml (one source for all)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

#: The project checkout this package sits in (kata/, solutions/ and tests/ live beside it).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Exercise:
    number: int
    name: str
    title: str
    module: str
    functions: tuple[str, ...]
    task: str  # the one line a stub raises NotImplementedError with
    graph_mode: bool
    tensorflow: str  # the chapter's construct
    pytorch: str  # the idiom that replaces it
    hints: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    @property
    def label(self) -> str:
        return f"{self.number:02d} {self.title}"


def _load() -> tuple[Exercise, ...]:
    data = tomllib.loads(files(__package__).joinpath("exercises.toml").read_text())
    return tuple(
        Exercise(
            number=number,
            name=entry["name"],
            title=entry["title"],
            module=entry["module"],
            functions=tuple(entry["functions"]),
            task=entry["task"],
            graph_mode=entry["graph_mode"],
            tensorflow=entry["tensorflow"],
            pytorch=entry["pytorch"],
            hints=tuple(entry["hints"]),
        )
        for number, entry in enumerate(data["exercise"], start=1)
    )


EXERCISES: tuple[Exercise, ...] = _load()


class UnknownExercise(LookupError):
    """A name or number that is not in the course; the message lists the ones that are."""


def find(key: str | int) -> Exercise:
    """The exercise named by its number ("3", 3), name or module; else UnknownExercise."""
    text = str(key).strip()
    for exercise in EXERCISES:
        if text.isdigit() and int(text) == exercise.number:
            return exercise
        if text in (exercise.name, exercise.module, exercise.filename):
            return exercise
    known = ", ".join(f"{e.number} ({e.name})" for e in EXERCISES)
    raise UnknownExercise(f"no exercise {key!r}; the exercises are: {known}")


def for_module(module: str) -> Exercise | None:
    """The exercise whose module is `module` (as in a grader's file name), if any."""
    return next((e for e in EXERCISES if e.module == module), None)
