"""Bad input gets a clear message and exit code 2, never a traceback; plain text off a terminal."""

from __future__ import annotations

import pytest

from autodiff_kata.cli import main
from autodiff_kata.registry import EXERCISES


@pytest.mark.parametrize(
    "args",
    [["check", "nope"], ["hint", "99"], ["solution", "0"], ["reset", "ex99", "--yes"]],
)
def test_an_unknown_exercise_is_named_and_the_exercises_listed(kata, args):
    code, out, err = kata.cli(*args)

    assert code == 2
    assert repr(args[1]) in err
    for exercise in EXERCISES:
        assert f"{exercise.number} ({exercise.name})" in err
    assert out == ""


def test_an_unknown_exercise_from_the_shell_has_no_traceback(kata):
    done = kata.run("hint", "second-derivative")

    assert done.returncode == 2
    assert "'second-derivative'" in done.stderr
    assert "second_derivative" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args", [["frobnicate"], ["watch", "--max-runs", "x"], ["hint", "1", "2"], ["status", "--nope"]]
)
def test_bad_arguments_are_a_usage_error(kata, args):
    code, _, err = kata.cli(*args)

    assert code == 2
    assert "usage:" in err


def test_a_folder_that_is_not_a_kata_project(tmp_path, capsys):
    code = main(["status", "--project", str(tmp_path)])

    assert code == 2
    assert "not a kata checkout" in capsys.readouterr().err


def test_help_documents_the_commands_and_exit_codes(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in ("status", "check", "hint", "watch", "reset", "solution"):
        assert command in text
    assert "exit codes:" in text
    for code in ("0 ", "1 ", "2 "):
        assert f"\n  {code}" in text


def test_plain_text_off_a_terminal_and_colour_on_one(kata, monkeypatch):
    code, plain, _ = kata.cli("hint", "1")
    assert code == 0
    assert "\x1b[" not in plain
    assert "`autodiff-kata hint 1`" in plain  # commands stand out without colour

    monkeypatch.setenv("FORCE_COLOR", "1")  # what rich treats as a terminal
    code, styled, _ = kata.cli("hint", "1")
    assert code == 0
    assert "\x1b[" in styled
