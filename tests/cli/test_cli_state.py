"""The state file: whatever is in it, or in its place, `hint` still shows a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autodiff_kata.registry import find
from autodiff_kata.state import State, StateNotSaved


def test_counts_that_are_not_whole_numbers_of_tiers_are_dropped(tmp_path):
    path = tmp_path / ".kata-state.json"
    path.write_text(
        '{"version": 1, "hints_seen": {"a": 1e400, "b": -4, "c": NaN, "d": true, "e": "2",'
        ' "f": 2.0, "g": null, "h": [1], "ok": 2, "zero": 0}}'
    )

    assert State.load(path).hints_seen == {"ok": 2, "zero": 0}


@pytest.mark.parametrize(
    "text",
    ["{not json", "[1, 2]", '"text"', '{"hints_seen": [1, 2]}', '{"hints_seen": 3}', "", "\xff"],
)
def test_a_damaged_file_is_a_fresh_start(tmp_path, text):
    path = tmp_path / ".kata-state.json"
    path.write_text(text, encoding="latin-1")

    assert State.load(path).hints_seen == {}


def test_a_folder_in_place_of_the_file_is_a_fresh_start_and_saving_says_why_it_failed(tmp_path):
    path = tmp_path / ".kata-state.json"
    path.mkdir()
    state = State.load(path)
    assert state.hints_seen == {}

    state.hints_seen["first_derivative"] = 1
    with pytest.raises(StateNotSaved, match="a folder is in its place") as error:
        state.save()

    assert str(path) in str(error.value)
    assert "out of the way" in str(error.value)
    assert sorted(tmp_path.iterdir()) == [path], "no scratch file left behind"


def test_unreadable_is_a_fresh_start_and_unwritable_says_what_to_do(tmp_path, monkeypatch):
    path = tmp_path / ".kata-state.json"
    path.write_text('{"hints_seen": {"first_derivative": 2}}')

    def denied(self, *args, **kwargs):  # as chmod 0 would, for a user other than root
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", denied)
    monkeypatch.setattr("autodiff_kata.state.write_atomically", denied)
    state = State.load(path)
    assert state.hints_seen == {}
    with pytest.raises(StateNotSaved, match="Permission denied") as error:
        state.save()
    assert f"make {tmp_path} writable" in str(error.value)


@pytest.mark.parametrize("seen", ["1e400", "-4", "NaN", "true", '"2"'])
def test_hint_after_a_bad_count_starts_at_the_first_hint(kata, seen):
    ex01 = find(1)
    state = kata.root / ".kata-state.json"
    state.write_text(f'{{"version": 1, "hints_seen": {{"first_derivative": {seen}}}}}')

    code, out, err = kata.cli("hint", "1")

    assert code == 0, err
    assert f"(1 of {len(ex01.hints)})" in out
    assert "Traceback" not in err
    assert json.loads(state.read_text())["hints_seen"] == {"first_derivative": 1}


def test_hint_is_shown_when_the_state_cannot_be_saved(kata):
    ex01 = find(1)
    (kata.root / ".kata-state.json").mkdir()

    code, out, err = kata.cli("hint", "1")

    assert code == 0
    assert ex01.hints[0] in out
    assert "could not save" in err
    assert "a folder is in its place" in err

    code, out, err = kata.cli("hint", "1", "--json")
    assert code == 0
    assert json.loads(out)["hints"] == [ex01.hints[0]], "the same tier: nothing was remembered"
    assert "could not save" in err
