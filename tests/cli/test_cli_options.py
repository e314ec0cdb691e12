"""Options before or after the command's name, and which checkout a command acts on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autodiff_kata.cli import main, parse
from autodiff_kata.project import NoProject, Project
from autodiff_kata.registry import find

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)

COMMANDS = [["status"], ["check"], ["hint", "1"], ["watch"], ["reset", "1"], ["solution", "1"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_project_is_taken_before_or_after_the_command(command):
    before = parse(["--project", "/somewhere", *command])
    after = parse([*command, "--project", "/somewhere"])

    assert before.command == after.command == command[0]
    assert before.project == after.project == Path("/somewhere")
    assert parse(command).project is None


@pytest.mark.parametrize("command", [["status"], ["check"], ["hint", "1"]], ids=lambda c: c[0])
def test_json_is_taken_before_or_after_the_command(command):
    assert parse(["--json", *command]).json
    assert parse([*command, "--json"]).json
    assert not parse(command).json


def test_no_command_is_the_board_with_every_default():
    args = parse([])

    assert (args.command, args.project, args.json, args.fresh) == ("status", None, False, False)
    assert parse(["--json"]).json
    assert parse(["--project", "/somewhere"]).project == Path("/somewhere")


def test_the_option_after_the_command_wins():
    assert parse(["--project", "/a", "hint", "1", "--project", "/b"]).project == Path("/b")


@pytest.mark.parametrize("args", [["--json", "watch"], ["--json", "reset", "1"]])
def test_json_where_a_command_has_none_is_a_usage_error(args, capsys):
    assert main(args) == 2

    err = capsys.readouterr().err
    assert "usage:" in err
    assert "status, check and hint" in err


def test_options_before_the_command_act_on_that_checkout(kata, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    ex01 = find(1)

    code = main(["--project", str(kata.root), "--json", "hint", "1"])

    out = kata.capsys.readouterr().out
    assert code == 0
    assert json.loads(out)["hints"] == [ex01.hints[0]], "JSON, asked for before the command"
    state = json.loads((kata.root / ".kata-state.json").read_text())
    assert state["hints_seen"] == {ex01.name: 1}, "the state of the checkout named"


def test_outside_any_checkout_the_command_says_how_to_name_one(kata, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert (PROJECT.root / "kata").is_dir(), "the installed package's checkout is a kata"
    own_state = PROJECT.root / ".kata-state.json"
    before = own_state.read_text() if own_state.is_file() else None

    for args in (["hint", "1"], ["solution", "1", "--force"], []):
        code = main(args)
        captured = kata.capsys.readouterr()
        assert code == 2, args
        assert captured.out == ""
        assert str(elsewhere) in captured.err
        assert "cd into your checkout" in captured.err
        assert "--project DIR" in captured.err
    assert (own_state.read_text() if own_state.is_file() else None) == before, "not used"
    with pytest.raises(NoProject):
        Project.locate(elsewhere)

    done = kata.run("status", cwd=elsewhere)
    assert done.returncode == 2
    assert "cd into your checkout" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_checkout_is_found_from_any_folder_inside_it(kata):
    assert Project.locate(kata.root / "kata").root == kata.root.resolve()
    assert Project.locate(kata.root).root == kata.root.resolve()


@pytest.mark.parametrize("args", [["status"], ["check"], ["check", "1"]])
def test_the_board_and_check_say_which_checkout_they_grade(kata, monkeypatch, args):
    graded = []

    def interrupted(project, *args, **kwargs):  # stop at the grading run, after the heading
        graded.append(project.root)
        raise KeyboardInterrupt

    monkeypatch.setattr(Project, "grade", interrupted)

    code, out, _ = kata.cli(*args)

    assert code == 130
    assert graded == [kata.root.resolve()]
    assert out.splitlines() == [f"checkout: {kata.root.resolve()}"]

    code, out, _ = kata.cli(*args, "--json")
    assert code == 130
    assert out == "", "JSON names the checkout in its own field"
