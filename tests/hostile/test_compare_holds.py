"""The attacks of conftest.CASES through compare: each mode's cases graded in one batch, with
the probe, two jobs, beside two copies of the reference. Every case gets the verdicts it gets
through pytest and check, the copies their full marks, nothing any case started outlives the
batch (nor, as root, anything it wrote where anyone may write), and no file it was given,
nor any grader of the checkout, changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES

PROJECT = Project.locate(Path(__file__).parent)
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
MARKER = "HOSTILE-MARKER-"  # every case's (Case.marker)
COPIES = ("reference_a", "reference_b")


@pytest.mark.parametrize("same_user", [False, True], ids=["root", "same-user"])
def test_one_batch_of_every_attack_keeps_every_row(tmp_path, hostile_cases, processes, same_user):
    if not same_user and not AS_ROOT:
        pytest.skip("workers run under users of their own only when compare runs as root")
    cases = {case.submission: case for case in hostile_cases if case.same_user == same_user}
    given = tmp_path / "submissions"
    for name, case in cases.items():
        (given / name).mkdir(parents=True)
        for exercise in EXERCISES:
            (given / name / exercise.filename).write_text(case.module(exercise))
    for name in COPIES:
        shutil.copytree(PROJECT.solutions, given / name)
    for path in [tmp_path, *tmp_path.rglob("*")]:  # as a learner's checkout: others may read
        path.chmod(0o755 if path.is_dir() else 0o644)
    kept = [given, PROJECT.root / "tests" / "graders"]
    before = [processes.snapshot(folder) for folder in kept]
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "autodiff_kata.compare", *map(str, sorted(given.iterdir())),
        "--project", str(PROJECT.root), "--jobs", "2", "--out", str(out),
    ]  # fmt: skip
    try:
        done = subprocess.run(
            command, cwd=tmp_path, env=processes.environment(same_user), capture_output=True,
            text=True, timeout=900,
        )  # fmt: skip
        time.sleep(processes.late)  # for anything left behind to show itself
        survivors = processes.marked(MARKER)
    finally:
        processes.kill_marked(MARKER)
        litter = processes.litter(MARKER)
        processes.remove_litter(MARKER)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    rows = {row["name"]: row for row in report["submissions"]}
    for name in COPIES:
        assert (rows[name]["passed"], rows[name]["problem"]) == (len(EXERCISES), ""), name
    for name, case in cases.items():
        got = {}
        for cell in rows[name]["cells"]:
            first = next((t for t in cell["tests"] if t["status"] == cell["status"]), None)
            got[cell["number"]] = (cell["status"], first["kind"] if first else None)
        expected = {  # a kind left open takes the one it got
            number: (verdict.status, verdict.kind or got[number][1])
            for number, verdict in case.verdicts().items()
        }
        assert (got, rows[name]["problem"]) == (expected, ""), name
    assert not survivors, f"outlived the batch: {survivors}"
    if not same_user:  # else its files are the user's own (test_engine_holds.py)
        assert not litter, f"left where anyone may write: {litter}"
    assert [processes.snapshot(folder) for folder in kept] == before
