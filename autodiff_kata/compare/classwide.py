"""The class as a whole, as data: how each exercise went, the scores, which grader tests the
class fails most, and which pairs of submissions share code in several exercises. The
reports and the terminal word these; nothing here is prose."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, groupby

from autodiff_kata.compare.batch import REFERENCE, Row
from autodiff_kata.registry import Exercise
from autodiff_kata.results import Status

# Speed ratios inside these bounds are what a busy machine's noise gives correct code (two
# runs of the same code differ by up to 2-3x): only a ratio beyond them says something.
FAST, SLOW = 0.2, 5.0
# Pairs of submissions are reported once they share code in at least this many exercises.
SHARED_AT_LEAST = 2


def notable_speed(ratio: float | None) -> bool:
    """Whether a speed ratio is beyond the noise: ≤ 0.2× (a hard-coded answer?) or ≥ 5×."""
    return ratio is not None and (ratio <= FAST or ratio >= SLOW)


def parts(exercises: Sequence[Exercise]) -> list[tuple[int, list[Exercise]]]:
    """The exercises grouped by the registry's part, in course order."""
    return [(part, list(group)) for part, group in groupby(exercises, key=lambda e: e.part)]


@dataclass(frozen=True)
class ExerciseTally:
    """How one exercise went across the class."""

    exercise: Exercise
    statuses: Counter[str]  # status → submissions with it
    failed_tests: Counter[str]  # grader test → submissions that failed it
    mistakes: Counter[str]  # likely mistake a grader named → submissions it was named for

    @property
    def submissions(self) -> int:
        return sum(self.statuses.values())

    @property
    def passed(self) -> int:
        return self.statuses[Status.PASSED.value]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.submissions if self.submissions else 0.0


def tallies(rows: Sequence[Row], exercises: Sequence[Exercise]) -> list[ExerciseTally]:
    found = []
    for index, exercise in enumerate(exercises):
        statuses: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        mistakes: Counter[str] = Counter()
        for row in rows:
            cell = row.cells[index]
            statuses[cell.status] += 1
            failed.update({t["name"] for t in cell.tests if t["status"] == Status.FAILED.value})
            mistakes.update({t["mistake"] for t in cell.tests if t.get("mistake")})
        found.append(ExerciseTally(exercise, statuses, failed, mistakes))
    return found


def scores(rows: Sequence[Row]) -> list[int]:
    """Exercises passed, per submission."""
    return [row.passed for row in rows]


@dataclass(frozen=True)
class SharedPair:
    """Two submissions (or one and the reference) with the same code in several exercises."""

    first: str
    second: str
    exercises: tuple[Exercise, ...]


def shared_pairs(
    similar: Mapping[str, list[list[str]]],
    exercises: Sequence[Exercise],
    at_least: int = SHARED_AT_LEAST,
) -> list[SharedPair]:
    """Pairs sharing code in `at_least` exercises or more, from the groups of each exercise
    (`similar`: module → groups of names); most exercises first."""
    shared: dict[tuple[str, str], list[Exercise]] = defaultdict(list)
    for exercise in exercises:
        for group in similar.get(exercise.module, []):
            ordered = sorted(group, key=lambda name: (name == REFERENCE, name))
            for pair in combinations(ordered, 2):
                shared[pair].append(exercise)
    pairs = [
        SharedPair(first, second, tuple(found))
        for (first, second), found in shared.items()
        if len(found) >= at_least
    ]
    return sorted(pairs, key=lambda p: (-len(p.exercises), p.first, p.second))
