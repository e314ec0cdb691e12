"""The comparison as files: results.csv, gradebook.csv, report.md, a self-contained
report.html, report.json, and feedback/<submission>.md for each student.

Written by compare itself once the batch is over, each file whole or not at all (files.py).
Learner text (messages, details, notes) is made inert where it is shown: escaped in HTML and
Markdown, fenced in Markdown with a fence it cannot close, and kept from starting a formula in
a CSV cell (neutral.py).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autodiff_kata import files, words
from autodiff_kata.compare import classwide, feedback, plots
from autodiff_kata.compare.batch import REFERENCE, Cell, Row, row_to_dict
from autodiff_kata.compare.neutral import csv_cell, markdown_fenced, markdown_inline
from autodiff_kata.registry import Exercise
from autodiff_kata.results import Status

CSV_FIELDS = [
    "submission", "number", "exercise", "status", "detail", "deviation", "speed_ratio",
    "same_code", "probe_note", "message", "sha256",
]  # fmt: skip
# Columns that hold text from a submission or about it; the others are numbers and hashes.
CSV_TEXT = {"submission", "exercise", "status", "detail", "same_code", "probe_note", "message"}
MOST_FAILED_SHOWN = 5  # grader tests listed per exercise in the class's table

# Terminal colours (rich styles) and page colours, by status.
STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "red",
    Status.NOT_IMPLEMENTED: "dim",
    Status.ERROR: "magenta",
    Status.TIMEOUT: "yellow",
    Status.CRASHED: "bold red",
    Status.NOT_RUN: "dim",
}
COLOUR = {
    Status.PASSED: "#d9f2d9",
    Status.FAILED: "#f9d6d5",
    Status.NOT_IMPLEMENTED: "#eeeeee",
    Status.ERROR: "#ecd9f2",
    Status.TIMEOUT: "#fff0c2",
    Status.CRASHED: "#f2b8b5",
    Status.NOT_RUN: "#f4f4f4",
}
LEGEND = (
    "Δ: the largest |submission − reference| over the outputs on fixed inputs (∞: the outputs "
    "differ in shape). Speed: submission time / reference time on a fixed workload, measured "
    "side by side, shown only beyond this machine's noise (≤ 0.2× or ≥ 5×)."
)


@dataclass
class Comparison:
    rows: list[Row]
    exercises: Sequence[Exercise]
    similar: dict[str, list[list[str]]]  # module -> groups of names with the same code
    reference: str
    project: str  # the checkout whose graders graded
    generated: str  # ISO date and time
    seconds: float = 0.0
    jobs: int = 1
    settings: dict[str, Any] = field(default_factory=dict)


# cell texts ------------------------------------------------------------------------------


def deviation_text(value: float | None) -> str:
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞"
    return "0" if value == 0 else f"{value:.1e}"


def ratio_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def cell_lines(cell: Cell) -> list[str]:
    """The cell in words: status and detail; deviation, and speed where it is beyond the
    noise; what the probe could not do; the same-code label."""
    lines = [cell.status + (f" ({cell.detail})" if cell.detail else "")]
    if cell.deviation is not None:
        measured = f"Δ {deviation_text(cell.deviation)}"
        if classwide.notable_speed(cell.speed_ratio):
            measured += f", speed {ratio_text(cell.speed_ratio)}"
        lines.append(measured)
    elif cell.probe_note:
        note = cell.probe_note if len(cell.probe_note) <= 60 else cell.probe_note[:59] + "…"
        lines.append(f"probe: {note}")
    if cell.same_as:
        lines.append(f"same code: {cell.same_as}")
    return lines


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def similar_lines(comparison: Comparison) -> list[str]:
    lines = []
    for exercise in comparison.exercises:
        for group in comparison.similar.get(exercise.module, []):
            label = REFERENCE if REFERENCE in group else _label(comparison, exercise, group)
            lines.append(f"same code in {exercise.label}: {label} = {', '.join(group)}")
    return lines


def _label(comparison: Comparison, exercise: Exercise, group: list[str]) -> str:
    index = list(comparison.exercises).index(exercise)
    for row in comparison.rows:
        if row.name in group:
            return row.cells[index].same_as
    return "?"


def pair_text(pair: classwide.SharedPair) -> str:
    numbers = ", ".join(e.label for e in pair.exercises)
    return f"{pair.first} and {pair.second}: {len(pair.exercises)} exercises ({numbers})"


def summary_text(comparison: Comparison) -> str:
    return (
        f"{words.count(len(comparison.rows), 'submission')}, graded {comparison.generated} "
        f"in {comparison.seconds:.0f} s with {words.count(comparison.jobs, 'job')}."
    )


# files -----------------------------------------------------------------------------------


def write_atomically(path: Path, text: str) -> Path:
    """files.write_atomically, into a folder made if need be; readable by all, as a report
    to share is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_atomically(path, text)
    os.chmod(path, 0o644)
    return path


def write_all(comparison: Comparison, out: Path) -> list[Path]:
    written = [
        write_csv(comparison, out / "results.csv"),
        write_gradebook(comparison, out / "gradebook.csv"),
        write_markdown(comparison, out / "report.md"),
        write_html(comparison, out / "report.html"),
        write_json(comparison, out / "report.json"),
    ]
    for row in comparison.rows:
        text = feedback.markdown(row, comparison.exercises)
        written.append(write_atomically(out / "feedback" / f"{row.name}.md", text))
    return written


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return "inf"
    return f"{value:.6g}"


def _csv(fields: Sequence[str], records: Sequence[dict[str, Any]], text: set[str]) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fields)
    writer.writeheader()
    for record in records:
        writer.writerow({k: csv_cell(str(v)) if k in text else v for k, v in record.items()})
    return stream.getvalue()


def write_csv(comparison: Comparison, path: Path) -> Path:
    """One line per submission × exercise."""
    records = [
        {
            "submission": row.name,
            "number": cell.number,
            "exercise": cell.exercise,
            "status": cell.status,
            "detail": cell.detail,
            "deviation": _number(cell.deviation),
            "speed_ratio": _number(cell.speed_ratio)
            if classwide.notable_speed(cell.speed_ratio)
            else "",
            "same_code": cell.same_as,
            "probe_note": cell.probe_note,
            "message": first_line(cell.message),
            "sha256": row.sha256,
        }
        for row in comparison.rows
        for cell in row.cells
    ]
    return write_atomically(path, _csv(CSV_FIELDS, records, CSV_TEXT))


def gradebook_columns(exercises: Sequence[Exercise]) -> list[str]:
    return ["submission", *(e.label for e in exercises), "total"]


def write_gradebook(comparison: Comparison, path: Path) -> Path:
    """One line per submission: one point per exercise passed, then the total; the shape a
    learning platform's gradebook import maps, the first column to its students."""
    columns = gradebook_columns(comparison.exercises)
    records = []
    for row in comparison.rows:
        points = [int(cell.passed) for cell in row.cells]
        records.append(dict(zip(columns, [row.name, *points, sum(points)], strict=True)))
    return write_atomically(path, _csv(columns, records, {"submission"}))


def to_dict(comparison: Comparison) -> dict[str, Any]:
    return {
        "generated": comparison.generated,
        "project": comparison.project,
        "reference": comparison.reference,
        "seconds": round(comparison.seconds, 1),
        "jobs": comparison.jobs,
        "settings": comparison.settings,
        "exercises": [
            {"number": e.number, "name": e.name, "title": e.title, "module": e.module}
            for e in comparison.exercises
        ],
        "submissions": [row_to_dict(row) for row in comparison.rows],
        "similar": comparison.similar,
        "shared": [
            {"first": p.first, "second": p.second, "modules": [e.module for e in p.exercises]}
            for p in classwide.shared_pairs(comparison.similar, comparison.exercises)
        ],
    }


def write_json(comparison: Comparison, path: Path) -> Path:
    return write_atomically(path, json.dumps(to_dict(comparison), indent=2) + "\n")


# the class, as both reports show it ------------------------------------------------------

STATUS_COLUMNS = [s for s in Status if s != Status.PASSED]


def _most_failed(tally: classwide.ExerciseTally) -> list[tuple[str, int]]:
    return tally.failed_tests.most_common(MOST_FAILED_SHOWN)


def _most_made(tally: classwide.ExerciseTally) -> list[tuple[str, int]]:
    return tally.mistakes.most_common(MOST_FAILED_SHOWN)


def _percent(share: float) -> str:
    return f"{100 * share:.0f}%"


# Markdown --------------------------------------------------------------------------------


def write_markdown(comparison: Comparison, path: Path) -> Path:
    md = markdown_inline
    tallies = classwide.tallies(comparison.rows, comparison.exercises)
    lines = [
        "# Submissions compared with the reference",
        "",
        f"{summary_text(comparison)} Graders: {md(comparison.project)}. "
        f"Reference: {md(comparison.reference)}.",
        "",
        "## The class",
        "",
        "| exercise | passed | " + " | ".join(s.value for s in STATUS_COLUMNS)
        + " | grader tests failed most (submissions) | likely mistakes named (submissions) |",
        "|---|---:|" + "---:|" * len(STATUS_COLUMNS) + "---|---|",
    ]  # fmt: skip
    for tally in tallies:
        counts = " | ".join(str(tally.statuses[s.value]) for s in STATUS_COLUMNS)
        failed = ", ".join(f"{md(name)} ({n})" for name, n in _most_failed(tally)) or "—"
        made = "; ".join(f"{md(mistake)} ({n})" for mistake, n in _most_made(tally)) or "—"
        lines.append(
            f"| {md(tally.exercise.label)} | {tally.passed}/{tally.submissions} "
            f"({_percent(tally.pass_rate)}) | {counts} | {failed} | {made} |"
        )
    lines += ["", "The plots of the scores and pass rates are in report.html.", ""]
    lines += [
        "## Submissions",
        "",
        LEGEND,
        "",
        "| submission | passed | " + " | ".join(md(e.label) for e in comparison.exercises) + " |",
        "|---|---:|" + "---|" * len(comparison.exercises),
    ]
    for row in comparison.rows:
        cells = [" <br> ".join(md(line) for line in cell_lines(c)) for c in row.cells]
        name = md(row.name) + (f" (not graded: {md(row.problem)})" if row.problem else "")
        lines.append(f"| {name} | {row.passed}/{len(row.cells)} | " + " | ".join(cells) + " |")
    pairs = classwide.shared_pairs(comparison.similar, comparison.exercises)
    lines += ["", "## Same code in several exercises", ""]
    lines += [f"- {md(pair_text(p))}" for p in pairs] or [
        f"No two submissions share the code of {classwide.SHARED_AT_LEAST} exercises or more."
    ]
    lines += ["", "## Same code, by exercise", ""]
    lines += [f"- {md(line)}" for line in similar_lines(comparison)] or [
        "No two submissions share the code of an exercise."
    ]
    lines += ["", "## Files graded", ""]
    lines += [
        f"- {md(row.name)}: {md(row.folder)}, sha256 {row.sha256 or 'none'}"
        for row in comparison.rows
    ]
    lines += ["", "## Messages", ""]
    for row in comparison.rows:
        problems = [
            (e, c)
            for e, c in zip(comparison.exercises, row.cells, strict=True)
            if c.message and not c.passed
        ]
        if not problems:
            continue
        lines += [f"### {md(row.name)}", ""]
        for exercise, cell in problems:
            message = "\n".join(cell.message.strip().splitlines()[:12])
            lines += [f"**{md(exercise.label)}**: {md(cell.status)}", ""]
            lines += [markdown_fenced(message), ""]
    return write_atomically(path, "\n".join(lines) + "\n")


# HTML ------------------------------------------------------------------------------------

PAGE_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem;
       color: #222; background: #fff; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 1.6rem; }
p.meta, p.legend { color: #555; font-size: .9rem; margin: .3rem 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.name { font-weight: 600; white-space: nowrap; }
td.score, td.count { text-align: right; white-space: nowrap; }
td .status { font-weight: 600; }
td { max-width: 24rem; }
td .line { color: #444; }
td ul { margin: 0; padding-left: 1rem; }
td code { word-break: break-all; }
.twin { display: inline-block; margin-top: .2rem; padding: 0 .3rem; border-radius: .2rem;
        background: #fff; border: 1px solid #999; font-size: .8rem; }
.plots { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.plots figure { margin: 0; }
.plots svg { max-width: 36rem; height: auto; }
details { margin: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .5rem; overflow-x: auto;
      white-space: pre-wrap; font-size: .8rem; max-width: 70rem; }
"""


def _class_html(comparison: Comparison) -> str:
    e = html.escape
    tallies = classwide.tallies(comparison.rows, comparison.exercises)
    scores = classwide.scores(comparison.rows)
    total = len(comparison.exercises)
    if plots.available():
        figures = (
            f'<figure aria-label="Score distribution">'
            f"{plots.score_distribution(scores, total)}</figure>"
            f'<figure aria-label="Pass rate per exercise">{plots.pass_rates(tallies)}</figure>'
        )
    else:
        figures = (
            "<p>The plots need matplotlib: <code>pip install 'autodiff-kata[compare]'</code>, "
            "then run compare again.</p>"
        )
    mean = sum(scores) / len(scores) if scores else 0.0
    head = "".join(f"<th>{e(s.value)}</th>" for s in STATUS_COLUMNS)
    body = []
    for tally in tallies:
        counts = "".join(
            f'<td class="count">{tally.statuses[s.value] or ""}</td>' for s in STATUS_COLUMNS
        )
        failed = "".join(
            f"<li><code>{e(name)}</code>: {words.count(n, 'submission')}</li>"
            for name, n in _most_failed(tally)
        )
        made = "".join(
            f"<li>{words.count(n, 'submission')}: {e(mistake)}</li>"
            for mistake, n in _most_made(tally)
        )
        body.append(
            f"<tr><td>{e(tally.exercise.label)}</td>"
            f'<td class="score">{tally.passed}/{tally.submissions} '
            f"({_percent(tally.pass_rate)})</td>{counts}"
            f"<td>{f'<ul>{failed}</ul>' if failed else '—'}</td>"
            f"<td>{f'<ul>{made}</ul>' if made else '—'}</td></tr>"
        )
    pairs = "".join(
        f"<tr><td>{e(p.first)}</td><td>{e(p.second)}</td>"
        f'<td class="count">{len(p.exercises)}</td>'
        f"<td>{e(', '.join(x.label for x in p.exercises))}</td></tr>"
        for p in classwide.shared_pairs(comparison.similar, comparison.exercises)
    )
    shared = (
        "<table><thead><tr><th>submission</th><th>and</th><th>exercises</th><th>which</th>"
        f"</tr></thead><tbody>{pairs}</tbody></table>"
        if pairs
        else f"<p>No two submissions share the code of {classwide.SHARED_AT_LEAST} exercises "
        "or more.</p>"
    )
    return f"""<h2>The class</h2>
<p class="meta">{words.count(len(scores), "submission")}; on average {mean:.1f} of
{words.count(total, "exercise")} passed.</p>
<div class="plots">{figures}</div>
<table><thead><tr><th>exercise</th><th>passed</th>{head}
<th>grader tests failed most</th><th>likely mistakes named</th></tr></thead>
<tbody>{"".join(body)}</tbody></table>
<h2>Same code in several exercises</h2>
<p class="legend">Pairs of submissions (or a submission and the reference) whose code is the
same, once comments, docstrings, annotations and local names are set aside, in
{classwide.SHARED_AT_LEAST} exercises or more.</p>
{shared}
"""


def write_html(comparison: Comparison, path: Path) -> Path:
    e = html.escape
    head = "".join(f"<th>{e(x.label)}</th>" for x in comparison.exercises)
    body = []
    for row in comparison.rows:
        tds = []
        for cell in row.cells:
            lines = cell_lines(cell)
            parts = [f'<div class="status">{e(lines[0])}</div>']
            for line in lines[1:]:
                css = "twin" if line.startswith("same code") else "line"
                parts.append(f'<div><span class="{css}">{e(line)}</span></div>')
            tip = e(
                "\n".join(filter(None, [first_line(cell.message), cell.probe_note])), quote=True
            )
            colour = COLOUR[Status(cell.status)]
            tds.append(f'<td style="background:{colour}" title="{tip}">{"".join(parts)}</td>')
        name = e(row.name) + (
            f"<br><small>not graded: {e(row.problem)}</small>" if row.problem else ""
        )
        body.append(
            f'<tr><td class="name">{name}</td>'
            f'<td class="score">{row.passed}/{len(row.cells)}</td>{"".join(tds)}</tr>'
        )
    similar = "".join(f"<li>{e(line)}</li>" for line in similar_lines(comparison))
    graded = "".join(
        f"<tr><td>{e(row.name)}</td><td><code>{e(row.folder)}</code></td>"
        f"<td><code>{e(row.sha256 or 'none')}</code></td></tr>"
        for row in comparison.rows
    )
    details = []
    for row in comparison.rows:
        items = [
            f"<p><b>{e(x.label)}</b>: {e(c.status)}</p><pre>{e(c.message.strip())}</pre>"
            for x, c in zip(comparison.exercises, row.cells, strict=True)
            if c.message and not c.passed
        ]
        if items:
            details.append(f"<details><summary>{e(row.name)}</summary>{''.join(items)}</details>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Submissions compared with the reference</title>
<style>{PAGE_STYLE}</style></head>
<body>
<h1>Submissions compared with the reference</h1>
<p class="meta">{e(summary_text(comparison))}
Graders: <code>{e(comparison.project)}</code>.
Reference: <code>{e(comparison.reference)}</code></p>
{_class_html(comparison)}
<h2>Submissions</h2>
<p class="legend">{e(LEGEND)} Hover a cell for the grader's first line; messages in full
below.</p>
<table><thead><tr><th>submission</th><th>passed</th>{head}</tr></thead>
<tbody>{"".join(body)}</tbody></table>
<h2>Same code, by exercise</h2>
<ul>{similar or "<li>No two submissions share the code of an exercise.</li>"}</ul>
<h2>Files graded</h2>
<p class="legend">sha256 of each submission's exercise modules, as copied before grading.</p>
<table><thead><tr><th>submission</th><th>folder</th><th>sha256</th></tr></thead>
<tbody>{graded}</tbody></table>
<h2>Messages</h2>
{"".join(details) or "<p>Every exercise passed.</p>"}
</body></html>
"""
    return write_atomically(path, page)
