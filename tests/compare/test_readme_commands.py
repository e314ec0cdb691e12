"""The README's commands for grading a class locally, run as written, in a copy of the
checkout with a `submissions/` folder as an instructor makes one: a student's repository
(its kata/ holds exercise 1 solved), a kata/ left as stubs, and the files of a kata/ with
exercise 1 wrong."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from autodiff_kata import stubs
from autodiff_kata.registry import EXERCISES

ROOT = Path(__file__).resolve().parents[2]
HEADING = "Locally, with compare"


def readme_commands(heading: str) -> list[str]:
    """The command lines of the bash blocks under README's `### heading`."""
    readme = (ROOT / "README.md").read_text()
    section = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^##)", readme, re.S | re.M)
    assert section, f"README.md has no section '### {heading}'"
    blocks = re.findall(r"^```bash\n(.*?)^```", section[1], re.S | re.M)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def kata(folder: Path, solved: dict[str, str]) -> None:
    """The stubs in `folder`, but for the modules `solved` gives the text of."""
    folder.mkdir(parents=True)
    for exercise in EXERCISES:
        solution = (ROOT / "solutions" / exercise.filename).read_text()
        text = solved.get(exercise.filename, stubs.stub_text(exercise, solution))
        (folder / exercise.filename).write_text(text)


def test_the_readme_grades_a_class_locally_as_written(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "tests" / "graders", checkout / "tests" / "graders")
    shutil.copytree(ROOT / "solutions", checkout / "solutions")
    shutil.copy2(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    kata(checkout / "kata", {})
    first = EXERCISES[0].filename
    solved = (ROOT / "solutions" / first).read_text()
    kata(checkout / "submissions" / "alice" / "kata", {first: solved})
    kata(checkout / "submissions" / "bob", {})
    wrong = (ROOT / "tests" / "compare" / "submissions" / "wrong" / first).read_text()
    (checkout / "submissions" / "carol").mkdir()
    (checkout / "submissions" / "carol" / first).write_text(wrong)

    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    said = ""
    for command in readme_commands(HEADING):
        done = subprocess.run(
            ["bash", "-c", command], cwd=checkout, capture_output=True, text=True,
            timeout=600, env={**os.environ, "PATH": path, "COLUMNS": "80"},
        )  # fmt: skip
        assert done.returncode == 0, f"`{command}`:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        said += done.stdout

    report = checkout / "report"
    gradebook = list(csv.reader(io.StringIO((report / "gradebook.csv").read_text())))
    assert gradebook[0] == ["submission", *(e.label for e in EXERCISES), "total"]
    totals = {line[0]: line[-1] for line in gradebook[1:]}
    assert totals == {"alice": "1", "bob": "0", "carol": "0"}
    assert sorted(p.name for p in (report / "feedback").iterdir()) == [
        "alice.md", "bob.md", "carol.md",
    ]  # fmt: skip
    for name in ("alice.md", "bob.md", "carol.md", "submission,"):
        assert name in said  # what `cat` and `ls` showed
    assert "<svg" in (report / "report.html").read_text()
