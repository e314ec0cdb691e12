"""The course: every exercise, in order, read from exercises.toml (one source for all)."""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from types import ModuleType


@dataclass(frozen=True)
class Exercise:
    number: int
    part: int  # the part of the course it belongs to (PARTS names them)
    name: str
    title: str
    module: str
    functions: tuple[str, ...]
    task: str  # the one line a stub raises NotImplementedError with
    graph_mode: bool
    tensorflow: str  # the chapter's construct
    pytorch: str  # the idiom that replaces it
    example: str  # the worked example the solution's docstring prints
    values: str  # what it prints
    hints: tuple[str, ...]
    vectorised: bool  # its answers are for a batch: the worker counts the torch operations
    forward_mode: bool  # its answers may run torch.func's forward mode (engine.warmed_for)
    aot_autograd: bool  # its grader compiles through AOTAutograd, as inductor does (the same)

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    @property
    def label(self) -> str:
        return f"{self.number:02d} {self.title}"

    @property
    def part_title(self) -> str:
        return PARTS[self.part]

    def workloads(self) -> ModuleType:
        """autodiff_kata/workloads/<module>.py: the fixed inputs the compare probe gives this
        exercise (PROBE) and its benchmark cases (BENCHMARKS)."""
        return importlib.import_module(f"{__package__}.workloads.{self.module}")


def _read() -> dict:
    return tomllib.loads(files(__package__).joinpath("exercises.toml").read_text())


def _load(data: dict) -> tuple[Exercise, ...]:
    return tuple(
        Exercise(
            number=number,
            part=entry["part"],
            name=entry["name"],
            title=entry["title"],
            module=entry["module"],
            functions=tuple(entry["functions"]),
            task=entry["task"],
            graph_mode=entry["graph_mode"],
            tensorflow=entry["tensorflow"],
            pytorch=entry["pytorch"],
            example=entry["example"],
            values=entry["values"],
            hints=tuple(entry["hints"]),
            vectorised=entry.get("vectorised", False),
            forward_mode=entry.get("forward_mode", False),
            aot_autograd=entry.get("aot_autograd", False),
        )
        for number, entry in enumerate(data["exercise"], start=1)
    )


_DATA = _read()
#: The parts of the course, by number, with their titles.
PARTS: dict[int, str] = {int(number): title for number, title in _DATA["parts"].items()}
EXERCISES: tuple[Exercise, ...] = _load(_DATA)


def in_part(part: int) -> tuple[Exercise, ...]:
    return tuple(e for e in EXERCISES if e.part == part)


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
