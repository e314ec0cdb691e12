"""`reset`: the stub back, after confirmation, with the learner's file kept first."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest

from autodiff_kata import stubs
from autodiff_kata.registry import EXERCISES, find


class Terminal(io.StringIO):
    """A stdin a learner is typing into."""

    def isatty(self) -> bool:
        return True


class SameSecond(datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2026, 11, 26, 10, 58, 0)


WORK = "\n# the learner's work in progress\n"


def backups(kata, exercise):
    folder = kata.root / "kata" / ".backup"
    return sorted(folder.glob(f"{exercise.module}.*.py")) if folder.is_dir() else []


def test_reset_asks_keeps_a_backup_and_restores_the_stub(git_kata, monkeypatch):
    kata, ex01 = git_kata, find(1)
    stub = kata.file(ex01).read_text()
    kata.solve(ex01, extra=WORK)
    mine = kata.file(ex01).read_text()
    kata.git("commit", "-q", "-am", "my work")  # committed work is no stub to go back to

    code, _, err = kata.cli("reset", "1")  # nobody at a terminal to confirm
    assert code == 2
    assert "--yes" in err
    assert kata.file(ex01).read_text() == mine
    assert backups(kata, ex01) == []

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    code, out, _ = kata.cli("reset", "1")
    assert code == 1
    assert "Nothing was reset" in out
    assert kata.file(ex01).read_text() == mine

    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    code, out, _ = kata.cli("reset", "first_derivative")
    assert code == 0
    assert kata.file(ex01).read_text() == stub, "the stub as the course handed it out"
    (backup,) = backups(kata, ex01)
    assert backup.read_text() == mine
    assert re.fullmatch(rf"{ex01.module}\.\d{{4}}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?\.py", backup.name)
    assert f"kata/.backup/{backup.name}" in out
    for path in (str(backup), ".kata-state.json"):  # both stay out of the learner's commits
        assert kata.git("check-ignore", "-q", path).returncode == 0, path

    code, out, _ = kata.cli("reset", "1", "--yes")
    assert code == 0
    assert "already the stub" in out
    assert len(backups(kata, ex01)) == 1


def test_reset_all_restores_every_stub_and_never_overwrites_a_backup(kata, monkeypatch):
    ex01, ex02, ex03 = find(1), find(2), find(3)
    kata.solve(ex01, extra=WORK)
    kata.file(ex02).write_text("def gradients_wrt_constants(\n")  # a syntax error
    kata.file(ex03).unlink()
    mine = {e: kata.file(e).read_text() for e in (ex01, ex02)}

    code, out, err = kata.cli("reset", "--all", "--yes")

    assert code == 0, err
    for exercise in EXERCISES:
        solution = (kata.root / "solutions" / exercise.filename).read_text()
        assert kata.file(exercise).read_text() == stubs.stub_text(exercise, solution), exercise
    for exercise, text in mine.items():
        (backup,) = backups(kata, exercise)
        assert backup.read_text() == text
    assert backups(kata, ex03) == [], "nothing to back up"
    assert "already the stub, nothing to do" in out  # the untouched ones

    monkeypatch.setattr("autodiff_kata.cli.datetime", SameSecond)
    for attempt in ("# attempt 1\n", "# attempt 2\n"):  # two resets in the same second
        kata.file(ex01).write_text(attempt)
        assert kata.cli("reset", "1", "--yes")[0] == 0
    kept = sorted(b.read_text() for b in backups(kata, ex01))
    assert kept == sorted([mine[ex01], "# attempt 1\n", "# attempt 2\n"])


@pytest.mark.parametrize("args", [["reset"], ["reset", "1", "--all"]])
def test_reset_needs_one_exercise_or_all(kata, args):
    code, _, err = kata.cli(*args)

    assert code == 2
    assert "--all" in err
