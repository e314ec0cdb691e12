"""The GitHub Classroom template, written by the README's own commands: the kata as students
receive it, and an autograding workflow with one grading step per exercise, whose commands
pass on the reference and fail on the stubs when run here as the workflow runs them."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml
from platforms import env, readme_commands, shell

from autodiff_kata import stubs
from autodiff_kata.cli import main
from autodiff_kata.project import Project, is_project
from autodiff_kata.registry import EXERCISES

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)

COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
GIT = {
    "GIT_AUTHOR_NAME": "Instructor",
    "GIT_AUTHOR_EMAIL": "instructor@example.org",
    "GIT_COMMITTER_NAME": "Instructor",
    "GIT_COMMITTER_EMAIL": "instructor@example.org",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture(scope="module")
def template(checkout: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for command in readme_commands("GitHub Classroom"):
        shell(command, cwd=checkout, **GIT)
    return checkout / "classroom"


@pytest.fixture(scope="module")
def steps(template: Path) -> list[dict[str, Any]]:
    workflow = yaml.safe_load((template / ".github" / "workflows" / "classroom.yml").read_text())
    assert workflow["on"] == ["push", "repository_dispatch"]  # quoted: YAML 1.1 reads on as True
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def graders(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if s.get("uses") == COMMAND_GRADER]


def test_one_grading_step_per_exercise_for_one_point(steps: list[dict[str, Any]]):
    found = graders(steps)
    assert [s["with"]["test-name"] for s in found] == [e.label for e in EXERCISES]
    ids = [s["id"] for s in found]
    assert len(set(ids)) == len(ids)
    for step in found:
        assert step["with"]["max-score"] == 1
        assert isinstance(step["with"]["timeout"], int) and 0 < step["with"]["timeout"] <= 60
        assert step["with"]["command"].strip()
    reporter = steps[-1]
    assert reporter["uses"] == REPORTER
    assert reporter["with"]["runners"] == ",".join(ids)
    results = {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}
    assert reporter["env"] == results


def test_python_and_the_kata_are_installed_before_any_grading(steps: list[dict[str, Any]]):
    first_grader = steps.index(graders(steps)[0])
    before = steps[:first_grader]
    assert before[0]["uses"].startswith("actions/checkout@")
    python = next(s for s in before if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    installs = "\n".join(s.get("run", "") for s in before)
    assert "pip install -c .ci/constraints.txt -e ." in installs
    assert "--index-url https://download.pytorch.org/whl/cpu" in installs  # CPU torch


def test_the_template_is_the_kata_as_students_receive_it(template: Path):
    assert is_project(template)
    for exercise in EXERCISES:  # stubs, even where the instructor's own kata/ is solved
        solution = (PROJECT.solutions / exercise.filename).read_text()
        kata = (template / "kata" / exercise.filename).read_text()
        assert kata == stubs.stub_text(exercise, solution), exercise.filename
        assert (template / "tests" / "graders" / f"test_{exercise.module}.py").is_file()
    assert not (template / "solutions").exists()
    for needed in ("pyproject.toml", ".ci/constraints.txt", "autodiff_kata/exercises.toml"):
        assert (template / needed).is_file(), needed
    readme = (template / "README.md").read_text()
    assert "autodiff-kata check 2" in readme and "classroom.yml" in readme
    status = subprocess.run(
        ["git", "-C", str(template), "status", "--porcelain"], capture_output=True, text=True
    )
    assert status.returncode == 0 and status.stdout == "", status.stdout  # all committed


def _run(folder: Path, command: str) -> subprocess.CompletedProcess[str]:
    """As the workflow runs it: in the repository, with the repository's own package."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=env(PYTHONPATH=str(folder)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def solved_and_untouched(template: Path, tmp_path_factory: pytest.TempPathFactory):
    """Two clones of the template: one with every solution in kata/, one as handed out."""
    ignore = shutil.ignore_patterns(".git")
    solved = shutil.copytree(template, tmp_path_factory.mktemp("solved") / "repo", ignore=ignore)
    untouched = shutil.copytree(template, tmp_path_factory.mktemp("stubs") / "repo", ignore=ignore)
    for exercise in EXERCISES:
        shutil.copy(PROJECT.solutions / exercise.filename, solved / "kata")
    return solved, untouched


def test_each_command_passes_on_the_reference_and_fails_on_the_stub(
    steps: list[dict[str, Any]],
    solved_and_untouched: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """Every command, word for word, through the command line's own entry point (in this
    process, which has torch loaded already: the console script calls the same main)."""
    solved, untouched = solved_and_untouched
    for step, exercise in zip(graders(steps), EXERCISES, strict=True):
        command = shlex.split(step["with"]["command"])
        assert command[0] == "autodiff-kata", command
        for folder, expected in ((solved, 0), (untouched, 1)):
            monkeypatch.chdir(folder)
            capsys.readouterr()
            code = main(command[1:])
            said = capsys.readouterr().out
            assert code == expected, f"`{shlex.join(command)}` in {folder}:\n{said}"
            if folder == untouched:
                assert f"not implemented yet — open kata/{exercise.filename}" in said, said


def test_the_command_runs_as_the_workflow_runs_it(
    steps: list[dict[str, Any]], solved_and_untouched: tuple[Path, Path]
):
    """The first command as a process of its own, the repository's package first on the path,
    as `pip install -e .` puts it in the workflow."""
    command = graders(steps)[0]["with"]["command"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        solved, untouched = pool.map(lambda folder: _run(folder, command), solved_and_untouched)
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert untouched.returncode == 1, untouched.stdout + untouched.stderr
    assert "not implemented yet" in untouched.stdout
