"""`reset N --undo`: the way back from a reset, losing nothing; a reset starts hints over."""

from __future__ import annotations

import json

import pytest

from autodiff_kata.cli import backups
from autodiff_kata.project import Project
from autodiff_kata.registry import find

WORK = "\n# the learner's work in progress\n"


def test_undo_puts_the_learners_file_back_and_never_loses_one(kata):
    ex01 = find(1)
    stub = kata.file(ex01).read_text()
    kata.solve(ex01, extra=WORK)
    mine = kata.file(ex01).read_text()

    code, out, _ = kata.cli("reset", "1", "--yes")
    assert code == 0
    assert "`autodiff-kata reset 1 --undo`" in out, "the way back is named"
    assert kata.file(ex01).read_text() == stub

    code, out, _ = kata.cli("reset", "1", "--undo")
    assert code == 0, out
    assert kata.file(ex01).read_text() == mine
    assert "put back kata/.backup/" in out
    assert len(backups(Project(kata.root), ex01)) == 1, "the stub it replaced is not kept"

    code, out, _ = kata.cli("reset", "first_derivative", "--undo")
    assert code == 0
    assert "already your newest backup" in out

    kata.file(ex01).write_text("# attempt 2\n")  # work done after the undo is kept too
    code, out, _ = kata.cli("reset", "1", "--undo")
    assert code == 0
    assert kata.file(ex01).read_text() == mine
    assert "the file it replaces is in kata/.backup/" in out
    kept = [path.read_text() for path in backups(Project(kata.root), ex01)]
    assert kept == [mine, "# attempt 2\n"], "oldest first"

    code, _, _ = kata.cli("reset", "1", "--undo")  # again: the two swap back
    assert code == 0
    assert kata.file(ex01).read_text() == "# attempt 2\n"


def test_undo_takes_the_newest_backup_by_the_time_in_its_name(kata):
    ex02 = find(2)
    folder = kata.root / "kata" / ".backup"
    folder.mkdir()
    names = {
        "2026-11-25T23-59-59.py": "yesterday",
        "2026-11-26T10-58-00-2.py": "third that second",
        "2026-11-26T10-58-00.py": "first that second",
        "2026-11-26T10-58-00-1.py": "second that second",
        "notes.py": "not a backup",
    }
    for suffix, text in names.items():
        (folder / f"{ex02.module}.{suffix}").write_text(text)
    (folder / f"{find(1).module}.2027-01-01T00-00-00.py").write_text("another exercise")

    order = [path.read_text() for path in backups(Project(kata.root), ex02)]
    assert order == ["yesterday", "first that second", "second that second", "third that second"]

    code, _, _ = kata.cli("reset", "2", "--undo")
    assert code == 0
    assert kata.file(ex02).read_text() == "third that second"


def test_undo_with_no_backup_does_nothing(kata):
    ex01 = find(1)
    stub = kata.file(ex01).read_text()

    code, out, _ = kata.cli("reset", "1", "--undo")

    assert code == 1
    assert "no backup" in out
    assert kata.file(ex01).read_text() == stub


@pytest.mark.parametrize("args", [["reset", "--undo"], ["reset", "--all", "--undo"]])
def test_undo_names_one_exercise(kata, args):
    code, _, err = kata.cli(*args)

    assert code == 2
    assert "(reset 3 --undo)" in err


def test_reset_without_an_exercise_says_what_to_name(kata):
    code, _, err = kata.cli("reset")
    assert code == 2
    assert "name one exercise (reset 3) or pass --all." in err
    assert "not both" not in err

    code, _, err = kata.cli("reset", "1", "--all")
    assert code == 2
    assert "not both" in err


def test_reset_starts_the_hints_of_each_exercise_reset_over(kata):
    ex01, ex02 = find(1), find(2)
    for args in (["hint", "1"], ["hint", "1"], ["hint", "2"]):
        assert kata.cli(*args)[0] == 0
    kata.solve(ex01, extra=WORK)

    code, out, _ = kata.cli("reset", "1", "--yes")

    assert code == 0
    assert "its hints start over" in out
    state = json.loads((kata.root / ".kata-state.json").read_text())
    assert state["hints_seen"] == {ex02.name: 1}, "the other exercise's hints are kept"
    code, out, _ = kata.cli("hint", "1", "--json")
    assert json.loads(out)["shown"] == 1
