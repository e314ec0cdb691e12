"""`hint`: one more tier per call, remembered in the project's state file."""

from __future__ import annotations

import json
from pathlib import Path

from autodiff_kata.project import Project
from autodiff_kata.registry import find

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)


def test_hint_tiers_advance_and_are_remembered(kata):
    ex01, ex02 = find(1), find(2)
    assert len(ex01.hints) >= 2

    code, first, _ = kata.cli("hint", "1")
    assert code == 0
    assert ex01.hints[0] in first
    assert ex01.hints[1] not in first
    state = json.loads((kata.root / ".kata-state.json").read_text())
    assert state["hints_seen"] == {"first_derivative": 1}

    code, second, _ = kata.cli("hint", "first_derivative")  # a new command: read from the file
    assert code == 0
    assert ex01.hints[0] in second
    assert ex01.hints[1] in second
    assert f"(2 of {len(ex01.hints)})" in second

    for _ in ex01.hints:  # past the last tier, it stays at the last
        code, last, _ = kata.cli("hint", "1")
    assert all(hint in last for hint in ex01.hints)
    assert "last hint" in last

    code, other, _ = kata.cli("hint", "2", "--json")
    assert code == 0
    assert json.loads(other) == {
        "exercise": ex02.name,
        "shown": 1,
        "total": len(ex02.hints),
        "hints": [ex02.hints[0]],
    }
    state = json.loads((kata.root / ".kata-state.json").read_text())
    assert state["hints_seen"] == {ex01.name: len(ex01.hints), ex02.name: 1}


def test_a_damaged_state_file_starts_afresh(kata):
    (kata.root / ".kata-state.json").write_text("{not json")

    code, out, err = kata.cli("hint", "1")

    assert code == 0, err
    assert find(1).hints[0] in out
    assert json.loads((kata.root / ".kata-state.json").read_text())["hints_seen"] == {
        "first_derivative": 1
    }


def test_the_state_files_and_backups_are_ignored_by_git():
    ignored = (PROJECT.root / ".gitignore").read_text().splitlines()
    assert ".kata-state.json" in ignored
    assert "kata/.backup/" in ignored
    assert ".kata-grades.json" in ignored
