"""`compare` over the fixture class of submissions in tests/compare/submissions/: every cell
of the table, the CSV, the gradebook and each student's feedback, against the golden files
in tests/compare/golden/; the terminal's lines within 80 columns; the page, with its class
statistics and plots, in a real browser. Timings, ratios and absolute paths are normalised
first; deviations are compared as orders of magnitude.

The class is graded once (exercises 1 and 2; the submissions hold exercise 1 only, so
exercise 2 is "module missing" everywhere), with --jobs 2, from this checkout (its graders
and its solutions/ as the reference), by the `autodiff-kata` command as an instructor runs it,
with COLUMNS=80 as in a CI log.
Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change, and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autodiff_kata.compare.classwide import notable_speed

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SUBMISSIONS = HERE / "submissions"
GOLDEN = HERE / "golden"
NAMES = sorted(p.name for p in SUBMISSIONS.iterdir() if p.is_dir())
UPDATE = bool(os.environ.get("UPDATE_GOLDEN"))
COMMAND = Path(sys.executable).with_name("autodiff-kata")  # the venv's console script
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: apt-get install -y chromium


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    out = tmp_path_factory.mktemp("compare") / "out"
    command = [
        str(COMMAND), "compare",
        *(str(SUBMISSIONS / name) for name in NAMES),
        "--exercises", "1,2", "--timeout", "10", "--jobs", "2",
        "--out", str(out),
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout, done.stderr


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
    out, _, _ = compared
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
    out, _, _ = compared
    rows = list(csv.DictReader(io.StringIO((out / "results.csv").read_text())))
    assert len(rows) == len(NAMES) * 2  # one row per submission × exercise
    for row in rows:
        row["deviation"] = magnitude(row["deviation"])
        # Shown only beyond the noise; whether a ratio is, the timing decides.
        assert row["speed_ratio"] == "" or notable_speed(float(row["speed_ratio"]))
        row["speed_ratio"] = "-"
        if row["status"] == "failed":  # the grader's own wording, tested with the graders
            row["message"] = "<grader message>"
        row["message"] = normalise(row["message"])
    text = io.StringIO()
    writer = csv.DictWriter(text, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    check_golden("results.csv", text.getvalue())


def test_the_gradebook(compared):
    out, _, _ = compared
    check_golden("gradebook.csv", (out / "gradebook.csv").read_text().replace("\r\n", "\n"))


def feedback_without_grader_words(text: str) -> str:
    """A failed exercise's message is the grader's own wording, tested with the graders; what
    a crashed worker printed last depends on the machine."""
    text = re.sub(r"Its last output:\n.*?(?=\n```)", "Its last output: <…>", text, flags=re.S)
    sections = text.split("\n## ")
    for n, section in enumerate(sections[1:], start=1):
        if section.splitlines()[0].endswith(": failed"):
            head, fence, _ = section.partition("\n```\n")
            sections[n] = f"{head}{fence}<grader message>\n```\n"
    return "\n## ".join(sections)


@pytest.mark.parametrize("name", NAMES)
def test_each_student_s_feedback(compared, name):
    out, _, _ = compared
    text = (out / "feedback" / f"{name}.md").read_text()
    for place in (str(SUBMISSIONS.resolve()), str(ROOT), "/tmp/"):
        assert place not in text
    check_golden(f"feedback/{name}.md", feedback_without_grader_words(text))


def test_no_line_of_the_terminal_is_longer_than_80_characters(compared):
    _, stdout, stderr = compared
    for line in (stdout + stderr).splitlines():
        assert len(line) <= 80, line
    assert "…" not in stdout.split("Marks:")[0]  # the marks table cuts no cell


def test_the_terminal_table_names_everyone_and_the_twins(compared):
    _, stdout, _ = compared
    assert stdout.startswith(f"graders: {ROOT / 'tests' / 'graders'} (checkout {ROOT})")
    for name in NAMES:
        assert name in stdout
    assert "same code in 01 First derivative: A = twin_a, twin_b" in stdout
    assert "same code in 01 First derivative: reference = correct, reference" in stdout
    assert "unstarted_a, unstarted_b" not in stdout  # stubs are alike, not twins


def test_the_html_page_is_self_contained(compared):
    out, _, _ = compared
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    for name in NAMES:
        assert f'<td class="name">{name}</td>' in page
    for loads in ("<script", "<link", "<img", "<iframe", "<object", "@import", " src="):
        assert loads not in page
    # Links and CSS url()s point inside the page (the plots' own clip paths and glyphs);
    # the SVG namespaces name no file to fetch.
    assert re.findall(r"href=\"([^#][^\"]*)\"", page) == []
    assert re.findall(r"url\(([^#][^)]*)\)", page) == []
    assert set(re.findall(r"https?://[^\"]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }


def test_the_page_shows_the_class(compared):
    out, _, _ = compared
    page = (out / "report.html").read_text()
    # Exercise 1: correct, correct_different, twin_a and twin_b pass it, of 14.
    assert '<td>01 First derivative</td><td class="score">4/14 (29%)</td>' in page
    assert '<td>02 Gradients with respect to constants</td><td class="score">0/14 (0%)' in page
    assert page.count("<svg") == 2  # the score distribution and the pass rates


@pytest.mark.skipif(
    not CHROMIUM.is_file(), reason=f"no {CHROMIUM}: apt-get install -y chromium to run it"
)
def test_a_browser_shows_the_page_and_its_plots_offline(compared, tmp_path):
    """The page in headless Chromium with no network: the plots' bars are drawn in their own
    colours. The screenshot stays in tmp_path (its path is printed) to be looked at."""
    from PIL import Image

    from autodiff_kata.compare.plots import PASSED_COLOUR, SCORE_COLOUR

    out, _, _ = compared
    shot = tmp_path / "report.png"
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",  # no network
        f"--screenshot={shot}", "--window-size=1300,1400",
        (out / "report.html").as_uri(),
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    print(f"screenshot: {shot}")
    image = Image.open(shot).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    for bars in (SCORE_COLOUR, PASSED_COLOUR):
        assert tuple(bytes.fromhex(bars[1:])) in colours, f"no {bars} bar drawn"


def test_the_markdown_report(compared):
    out, _, _ = compared
    text = (out / "report.md").read_text()
    assert "| 01 First derivative | 4/14 (29%) |" in text  # the class
    submissions = text.split("## Submissions")[1].split("\n## ")[0]
    assert "| submission | passed | 01 First derivative | 02 Gradients with respect" in submissions
    table = [line for line in submissions.splitlines() if line.startswith("| ")]
    names = [line.split(" | ")[0].removeprefix("| ") for line in table[1:]]
    assert names == [name.replace("_", "\\_") for name in NAMES]  # as Markdown shows "_"
    assert "- same code in 01 First derivative: A = twin\\_a, twin\\_b" in text


def test_no_bytecode_written_into_the_submissions(compared):
    assert not list(SUBMISSIONS.rglob("__pycache__"))
