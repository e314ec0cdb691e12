"""The class's plots, drawn with matplotlib as SVG text to put inside report.html, so that the
page needs no other file and no network. matplotlib is the `compare` extra: without it the
page says how to get the plots, and everything else is written as usual."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence

from autodiff_kata.compare.classwide import ExerciseTally

PASSED_COLOUR = "#3a8f3a"
PART_COLOURS = (PASSED_COLOUR, "#2b7a8c", "#8c6d2b", "#6d2b8c")  # a course's parts, in turn
SCORE_COLOUR = "#4a6fa5"


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _svg(figure: object, salt: str) -> str:
    """The figure as an <svg> element: no XML prolog, no metadata (a date, links to
    matplotlib's site), and ids of its own (`salt`) so that two plots on one page never share
    one."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        figure.savefig(
            buffer,
            format="svg",
            metadata=dict.fromkeys(("Creator", "Date", "Format", "Type")),
            bbox_inches="tight",
        )
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def score_distribution(scores: Sequence[int], exercises: int) -> str:
    """A bar per score (0 to `exercises` passed): how many submissions got it."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    counted = Counter(scores)
    figure = Figure(figsize=(5.5, 3.2))
    axes = figure.subplots()
    axes.bar(range(exercises + 1), [counted[n] for n in range(exercises + 1)], color=SCORE_COLOUR)
    axes.set_xticks(range(exercises + 1))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("exercises passed")
    axes.set_ylabel("submissions")
    axes.set_title("Score distribution")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "scores")


def pass_rates(tallies: Sequence[ExerciseTally]) -> str:
    """A bar per exercise, in course order from the top: the share of submissions passing it;
    a colour per part of the course."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    labels = [t.exercise.label for t in tallies]
    rates = [100 * t.pass_rate for t in tallies]
    figure = Figure(figsize=(5.5, 0.9 + 0.32 * len(tallies)))
    axes = figure.subplots()
    positions = range(len(tallies))
    parts = list(dict.fromkeys(t.exercise.part for t in tallies))
    colour = {part: PART_COLOURS[n % len(PART_COLOURS)] for n, part in enumerate(parts)}
    axes.barh(positions, rates, color=[colour[t.exercise.part] for t in tallies])
    if len(parts) > 1:
        from matplotlib.patches import Patch

        titles = {t.exercise.part: t.exercise.part_title for t in tallies}
        axes.legend(
            handles=[Patch(color=colour[p], label=f"part {p}: {titles[p]}") for p in parts],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),  # under the title, never over the bars
            ncols=len(parts),
            fontsize=8,
            frameon=False,
        )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_formatter(PercentFormatter())
    for position, tally, rate in zip(positions, tallies, rates, strict=True):
        axes.annotate(
            f"{tally.passed}/{tally.submissions}",
            (rate, position),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    axes.set_xlabel("submissions passing")
    axes.set_title("Pass rate per exercise", pad=20 if len(parts) > 1 else 6)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "pass-rates")
