"""The comparison on the terminal, in plain lines that fit its width (80 columns in a pipe or
a CI log): a mark per submission and exercise, the cells worth a word below it, one line
each, then the class's pass rates and the code submissions share. No cell is cut: a line
too long is folded onto the next, indented."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

from autodiff_kata import words
from autodiff_kata.compare.classwide import (
    notable_speed,
    parts,
    shared_pairs,
    tallies,
)
from autodiff_kata.compare.reports import STYLE, Comparison, cell_lines, similar_lines
from autodiff_kata.registry import Exercise
from autodiff_kata.results import Status

MARK = {
    Status.PASSED: "ok",
    Status.FAILED: "F",
    Status.NOT_IMPLEMENTED: "-",
    Status.ERROR: "E",
    Status.TIMEOUT: "T",
    Status.CRASHED: "C",
    Status.NOT_RUN: ".",
}
MARK_WIDTH = 2
GAP = "  "  # between the columns of the table, and between two parts
SHOWN_PAIRS = 10  # pairs sharing code listed here; the reports list them all
SHORTEST_NAME = 12  # the name column is never narrower


def fold(text: str, width: int, indent: str = "    ") -> list[str]:
    """`text` in lines of at most `width` characters; those after the first indented. Words
    longer than a line (a path) are broken, never cut."""
    return textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [""]


def print_lines(console: Any, text: str, width: int | None = None) -> None:
    """Print `text` folded to the console's width, as plain text (no markup)."""
    for line in fold(text, width or console.width):
        console.print(line, markup=False, highlight=False, no_wrap=True, crop=False)


def _marks_width(chunk: Sequence[Exercise]) -> int:
    groups = parts(chunk)
    return sum((MARK_WIDTH + 1) * len(g) - 1 for _, g in groups) + len(GAP) * (len(groups) - 1)


def chunks(exercises: Sequence[Exercise], room: int) -> list[list[Exercise]]:
    """The exercises in tables side by side that fit `room` columns of marks: all in one where
    they fit, else a part (or a slice of one) to a table."""
    if _marks_width(exercises) <= room:
        return [list(exercises)]
    per_table = max(1, (room + 1) // (MARK_WIDTH + 1))
    found: list[list[Exercise]] = []
    for _, group in parts(exercises):
        found += [group[i : i + per_table] for i in range(0, len(group), per_table)]
    return found


def _header(chunk: Sequence[Exercise], lead: int, titled: bool) -> list[str]:
    """The exercise numbers over the marks; with `titled`, each part's name over its own."""
    groups = parts(chunk)
    numbers = GAP.join(" ".join(f"{e.number:02d}" for e in g) for _, g in groups)
    if not titled:
        return [" " * lead + numbers]
    titles = GAP.join(f"part {p}".ljust((MARK_WIDTH + 1) * len(g) - 1) for p, g in groups)
    return [(" " * lead + titles).rstrip(), " " * lead + numbers]


def print_matrix(comparison: Comparison, console: Any, width: int) -> None:
    from rich.text import Text

    rows = comparison.rows
    total = len(comparison.exercises)
    score_width = max(len("passed"), len(f"{total}/{total}"))
    fixed = len(GAP) * 2 + score_width
    longest = max((len(row.name) for row in rows), default=0)
    room = width - fixed - SHORTEST_NAME
    indexes = {e.module: i for i, e in enumerate(comparison.exercises)}
    titled = len(parts(comparison.exercises)) > 1
    for chunk in chunks(comparison.exercises, room):
        name_width = max(len("submission"), min(longest, width - fixed - _marks_width(chunk)))
        lead = name_width + fixed
        header = _header(chunk, lead, titled)
        header[-1] = (
            "submission".ljust(name_width) + GAP + "passed".rjust(score_width) + GAP
            + header[-1][lead:]
        )  # fmt: skip
        for line in header:
            console.print(line, markup=False, highlight=False, no_wrap=True, crop=False)
        for row in rows:
            if len(row.name) > name_width:
                console.print(row.name, markup=False, highlight=False, no_wrap=True, crop=False)
                name = ""
            else:
                name = row.name
            line = Text(
                name.ljust(name_width) + GAP
                + f"{row.passed}/{len(row.cells)}".rjust(score_width) + GAP
            )  # fmt: skip
            for n, (_, group) in enumerate(parts(chunk)):
                if n:
                    line.append(GAP)
                for k, exercise in enumerate(group):
                    cell = row.cells[indexes[exercise.module]]
                    status = Status(cell.status)
                    line.append((" " if k else "") + MARK[status].ljust(MARK_WIDTH), STYLE[status])
            line.rstrip()
            console.print(line, no_wrap=True, crop=False)
        console.print()


def notes(comparison: Comparison) -> list[str]:
    """A line for each cell worth a word: not passed (a stub's mark says enough), a speed
    beyond the noise, a probe that could not measure; and each submission not graded."""
    found = []
    for row in comparison.rows:
        if row.problem:
            found.append(f"{row.name}: not graded: {row.problem}")
            continue
        for cell in row.cells:
            quiet = cell.status in (Status.PASSED, Status.NOT_IMPLEMENTED)
            if quiet and not notable_speed(cell.speed_ratio) and not cell.probe_note:
                continue
            found.append(f"{row.name} {cell.number:02d}: " + "; ".join(cell_lines(cell)))
    return found


def class_lines(comparison: Comparison) -> list[str]:
    """The pass rate per exercise and the code shared, for the end of the output."""
    rates = ", ".join(
        f"{t.exercise.number:02d} {t.passed}/{t.submissions}"
        for t in tallies(comparison.rows, comparison.exercises)
    )
    lines = [f"Passed per exercise: {rates}."]
    pairs = shared_pairs(comparison.similar, comparison.exercises)
    if pairs:
        lines.append("Same code in several exercises:")
        for pair in pairs[:SHOWN_PAIRS]:
            numbers = ", ".join(f"{e.number:02d}" for e in pair.exercises)
            lines.append(f"  {pair.first} and {pair.second}: {numbers}")
        if len(pairs) > SHOWN_PAIRS:
            more = words.count(len(pairs) - SHOWN_PAIRS, "more pair")
            lines.append(f"  and {more}, listed in report.md and report.html (--out)")
    return lines + similar_lines(comparison)


def print_table(comparison: Comparison, console: Any) -> None:
    width = console.width
    print_lines(console, "Submissions compared with the reference")
    console.print()
    print_matrix(comparison, console, width)
    legend = ", ".join(f"{mark} {status.value}" for status, mark in MARK.items())
    print_lines(console, f"Marks: {legend}.")
    found = notes(comparison)
    if found:
        console.print()
    for line in found:
        print_lines(console, line)
    console.print()
    for line in class_lines(comparison):
        print_lines(console, line)
    print_lines(
        console,
        f"{words.count(len(comparison.rows), 'submission')} in {comparison.seconds:.0f} s "
        f"with {words.count(comparison.jobs, 'job')}. Δ: largest |submission − reference| on "
        "fixed inputs; speed: submission time / reference time on a fixed workload, shown "
        "only beyond the noise (≤ 0.2× or ≥ 5×).",
    )
