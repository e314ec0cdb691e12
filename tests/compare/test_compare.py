"""`compare` over the fixture class of submissions in tests/compare/submissions/: every cell
of the table, the CSV and each Gradescope results.json, against the golden files in
tests/compare/golden/. Timings, ratios and absolute paths are normalised first; deviations
are compared as orders of magnitude.

The class is graded once (exercises 1 and 2; the submissions hold exercise 1 only, so
exercise 2 is "module missing" everywhere), with --jobs 2, from this checkout (its graders
and its solutions/ as the reference).
Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SUBMISSIONS = HERE / "submissions"
GOLDEN = HERE / "golden"
NAMES = sorted(p.name for p in SUBMISSIONS.iterdir() if p.is_dir())
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("compare") / "out"
    command = [
        sys.executable, "-m", "autodiff_kata.compare",
        *(str(SUBMISSIONS / name) for name in NAMES),
        "--exercises", "1,2", "--timeout", "10", "--jobs", "2",
        "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout


def magnitude(value: str | float | None) -> str:
    """A deviation as the golden files hold it: none, zero, infinite, or its power of ten."""
    if value in (None, ""):
        return "-"
    value = float(value)
    if math.isinf(value):
        return "inf"
    if value < 1e-6:
        return "0"
    return f"1e{math.floor(math.log10(value))}"


def measured(value: str | float | None) -> str:
    return "-" if value in (None, "") else "measured"


def normalise(text: str) -> str:
    return text.replace(str(SUBMISSIONS.resolve()), "<submissions>").replace(str(ROOT), "<root>")


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
    assert actual == path.read_text(), f"{name} differs from the golden file"


def test_every_cell_of_the_table(compared):
    out, _ = compared
    report = json.loads((out / "report.json").read_text())
    assert [row["name"] for row in report["submissions"]] == NAMES
    lines = ["submission | exercise | status | detail | deviation | speed | same code"]
    for row in report["submissions"]:
        assert row["problem"] == ""
        for cell in row["cells"]:
            lines.append(
                " | ".join(
                    [
                        row["name"],
                        str(cell["number"]),
                        cell["status"],
                        cell["detail"],
                        magnitude(cell["deviation"]),
                        measured(cell["speed_ratio"]),
                        cell["same_as"] or "-",
                    ]
                )
            )
    check_golden("table.txt", "\n".join(lines) + "\n")


def test_the_csv(compared):
    out, _ = compared
    rows = list(csv.DictReader(io.StringIO((out / "results.csv").read_text())))
    assert len(rows) == len(NAMES) * 2  # one row per submission × exercise
    for row in rows:
        row["deviation"] = magnitude(row["deviation"])
        row["speed_ratio"] = measured(row["speed_ratio"])
        if row["status"] == "failed":  # the grader's own wording, tested with the graders
            row["message"] = "<grader message>"
        row["message"] = normalise(row["message"])
    text = io.StringIO()
    writer = csv.DictWriter(text, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    check_golden("results.csv", text.getvalue())


@pytest.mark.parametrize("name", NAMES)
def test_the_gradescope_results(compared, name):
    out, _ = compared
    results = json.loads((out / "gradescope" / name / "results.json").read_text())
    assert isinstance(results.pop("execution_time"), float)
    for test in results["tests"]:
        assert test["status"] in ("passed", "failed")
        assert test["score"] == (1.0 if test["status"] == "passed" else 0.0)
        test["output"] = test["output"].splitlines()[0]  # the rest is the grader's message
    check_golden(f"gradescope/{name}/results.json", json.dumps(results, indent=2) + "\n")


def test_the_terminal_table_names_everyone_and_the_twins(compared):
    _, stdout = compared
    assert stdout.startswith(f"graders: {ROOT / 'tests' / 'graders'} (checkout {ROOT})")
    for name in NAMES:
        assert name in stdout
    assert "same code in 01 First derivative: A = twin_a, twin_b" in stdout
    assert "same code in 01 First derivative: reference = correct, reference" in stdout
    assert "unstarted_a, unstarted_b" not in stdout  # stubs are alike, not twins


def test_the_html_page_is_self_contained(compared):
    out, _ = compared
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    for name in NAMES:
        assert f'<td class="name">{name}</td>' in page
    for external in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert external not in page


def test_the_markdown_report(compared):
    out, _ = compared
    text = (out / "report.md").read_text()
    assert "| submission | passed | 01 First derivative | 02 Gradients with respect" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert [line.split(" | ")[0].removeprefix("| ") for line in table[1:]] == NAMES
    assert "- same code in 01 First derivative: A = twin_a, twin_b" in text


def test_no_bytecode_written_into_the_submissions(compared):
    assert not list(SUBMISSIONS.rglob("__pycache__"))
