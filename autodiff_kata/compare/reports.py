"""The comparison as a terminal table, CSV, Markdown, a self-contained HTML page, JSON, and
one Gradescope `results.json` per submission.

Written by compare itself once the batch is over, each file whole or not at all: its text
goes to a temporary name in the same folder, then `os.replace` puts it in place.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autodiff_kata.compare.batch import REFERENCE, Cell, Row, row_to_dict
from autodiff_kata.registry import Exercise
from autodiff_kata.results import Status

CSV_FIELDS = [
    "submission", "number", "exercise", "status", "detail", "deviation", "speed_ratio",
    "same_code", "probe_note", "message", "sha256",
]  # fmt: skip

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
    """The cell as the table shows it: status and detail; deviation and speed; twins."""
    lines = [cell.status + (f" ({cell.detail})" if cell.detail else "")]
    if cell.deviation is not None or cell.speed_ratio is not None:
        lines.append(f"Δ {deviation_text(cell.deviation)}  speed {ratio_text(cell.speed_ratio)}")
    elif cell.probe_note:
        note = cell.probe_note if len(cell.probe_note) <= 60 else cell.probe_note[:59] + "…"
        lines.append(f"probe: {note}")
    if cell.same_as:
        lines.append(f"same code: {cell.same_as}")
    return lines


def first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


# terminal --------------------------------------------------------------------------------


def print_table(comparison: Comparison, console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    table = Table(title="Submissions compared with the reference", show_lines=True)
    table.add_column("submission", no_wrap=True)
    table.add_column("passed", justify="right")
    for exercise in comparison.exercises:
        table.add_column(exercise.label)
    for row in comparison.rows:
        cells = []
        for cell in row.cells:
            lines = cell_lines(cell)
            text = Text(lines[0], style=STYLE[Status(cell.status)])
            for line in lines[1:]:
                text.append("\n" + line)
            cells.append(text)
        name = row.name + (f"\n[not graded: {row.problem}]" if row.problem else "")
        table.add_row(name, f"{row.passed}/{len(row.cells)}", *cells)
    console.print(table)
    for line in similar_lines(comparison):
        console.print(line, markup=False, highlight=False)
    console.print(
        f"{len(comparison.rows)} submissions in {comparison.seconds:.0f} s "
        f"with {comparison.jobs} job(s). Δ: largest |submission − reference| on fixed inputs; "
        "speed: submission time / reference time on a fixed workload."
    )


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


# files -----------------------------------------------------------------------------------


def write_atomically(path: Path, text: str) -> Path:
    """Write `text` to a temporary file beside `path`, then move it in place: a reader sees
    the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_all(comparison: Comparison, out: Path) -> list[Path]:
    written = [
        write_csv(comparison, out / "results.csv"),
        write_markdown(comparison, out / "report.md"),
        write_html(comparison, out / "report.html"),
        write_json(comparison, out / "report.json"),
    ]
    for row in comparison.rows:
        path = out / "gradescope" / row.name / "results.json"
        text = json.dumps(gradescope(row, comparison), indent=2) + "\n"
        written.append(write_atomically(path, text))
    return written


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return "inf"
    return f"{value:.6g}"


def write_csv(comparison: Comparison, path: Path) -> Path:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, CSV_FIELDS)
    writer.writeheader()
    for row in comparison.rows:
        for cell in row.cells:
            writer.writerow(
                {
                    "submission": row.name,
                    "number": cell.number,
                    "exercise": cell.exercise,
                    "status": cell.status,
                    "detail": cell.detail,
                    "deviation": _number(cell.deviation),
                    "speed_ratio": _number(cell.speed_ratio),
                    "same_code": cell.same_as,
                    "probe_note": cell.probe_note,
                    "message": first_line(cell.message),
                    "sha256": row.sha256,
                }
            )
    return write_atomically(path, stream.getvalue())


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
    }


def write_json(comparison: Comparison, path: Path) -> Path:
    return write_atomically(path, json.dumps(to_dict(comparison), indent=2) + "\n")


def gradescope(row: Row, comparison: Comparison) -> dict[str, Any]:
    """Gradescope's autograder results.json: one test per exercise, one point each."""
    tests = []
    for cell, exercise in zip(row.cells, comparison.exercises, strict=True):
        output = [f"{cell.status}" + (f": {cell.detail}" if cell.detail else "")]
        if cell.deviation is not None:
            output.append(f"largest deviation from the reference: {deviation_text(cell.deviation)}")
        if cell.message:
            output += ["", cell.message.strip()]
        tests.append(
            {
                "name": exercise.label,
                "number": str(exercise.number),
                "score": 1.0 if cell.passed else 0.0,
                "max_score": 1.0,
                "status": "passed" if cell.passed else "failed",
                "output": "\n".join(output),
            }
        )
    passed = sum(t["score"] for t in tests)
    summary = f"{int(passed)}/{len(tests)} exercises pass."
    if row.sha256:
        summary += f" Files graded: sha256 {row.sha256}."
    if row.problem:
        summary += f" The submission could not be graded: {row.problem}"
    return {
        "score": passed,
        "max_score": float(len(tests)),
        "execution_time": round(row.seconds, 1),
        "output": summary,
        "tests": tests,
    }


def write_markdown(comparison: Comparison, path: Path) -> Path:
    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Submissions compared with the reference",
        "",
        f"{len(comparison.rows)} submissions, graded {comparison.generated} "
        f"in {comparison.seconds:.0f} s with {comparison.jobs} job(s). "
        f"Graders: `{comparison.project}`. Reference: `{comparison.reference}`.",
        "",
        "Δ: the largest |submission − reference| over the outputs on fixed inputs (∞: the "
        "outputs differ in shape). Speed: submission time / reference time on a fixed "
        "workload, measured side by side.",
        "",
        "| submission | passed | " + " | ".join(e.label for e in comparison.exercises) + " |",
        "|---|---:|" + "---|" * len(comparison.exercises),
    ]
    for row in comparison.rows:
        cells = [escape("<br>".join(cell_lines(c))) for c in row.cells]
        lines.append(
            f"| {escape(row.name)} | {row.passed}/{len(row.cells)} | " + " | ".join(cells) + " |"
        )
    similar = similar_lines(comparison)
    lines += ["", "## Same code", ""]
    lines += [f"- {line}" for line in similar] or [
        "No two submissions share the code of an exercise."
    ]
    lines += ["", "## Files graded", ""]
    lines += [
        f"- {escape(row.name)}: `{row.folder}`, sha256 `{row.sha256 or 'none'}`"
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
        lines += [f"### {row.name}", ""]
        for exercise, cell in problems:
            message = "\n".join(cell.message.strip().splitlines()[:12])
            lines += [f"**{exercise.label}** — {cell.status}", "", "```", message, "```", ""]
    return write_atomically(path, "\n".join(lines) + "\n")


PAGE_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem;
       color: #222; background: #fff; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
p.meta, p.legend { color: #555; font-size: .9rem; margin: .3rem 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .85rem; }
th, td { border: 1px solid #ccc; padding: .35rem .5rem; vertical-align: top; text-align: left; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.name { font-weight: 600; white-space: nowrap; }
td.score { text-align: right; white-space: nowrap; }
td .status { font-weight: 600; }
td { max-width: 24rem; }
td .line { color: #444; }
.twin { display: inline-block; margin-top: .2rem; padding: 0 .3rem; border-radius: .2rem;
        background: #fff; border: 1px solid #999; font-size: .8rem; }
details { margin: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: .5rem; overflow-x: auto;
      white-space: pre-wrap; font-size: .8rem; max-width: 70rem; }
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
    files = "".join(
        f"<tr><td>{e(row.name)}</td><td><code>{e(row.folder)}</code></td>"
        f"<td><code>{e(row.sha256 or 'none')}</code></td></tr>"
        for row in comparison.rows
    )
    details = []
    for row in comparison.rows:
        items = [
            f"<p><b>{e(x.label)}</b> — {e(c.status)}</p><pre>{e(c.message.strip())}</pre>"
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
<p class="meta">{len(comparison.rows)} submissions, graded {e(comparison.generated)} in
{comparison.seconds:.0f} s with {comparison.jobs} job(s).
Graders: <code>{e(comparison.project)}</code>.
Reference: <code>{e(comparison.reference)}</code></p>
<p class="legend">Δ: the largest |submission − reference| over the outputs on fixed inputs
(∞: the outputs differ in shape). Speed: submission time / reference time on a fixed workload,
measured side by side. Hover a cell for the grader's first line; messages in full below.</p>
<table><thead><tr><th>submission</th><th>passed</th>{head}</tr></thead>
<tbody>{"".join(body)}</tbody></table>
<h2>Same code</h2>
<ul>{similar or "<li>No two submissions share the code of an exercise.</li>"}</ul>
<h2>Files graded</h2>
<p class="legend">sha256 of each submission's exercise modules, as copied before grading.</p>
<table><thead><tr><th>submission</th><th>folder</th><th>sha256</th></tr></thead>
<tbody>{files}</tbody></table>
<h2>Messages</h2>
{"".join(details) or "<p>Every exercise passed.</p>"}
</body></html>
"""
    return write_atomically(path, page)
