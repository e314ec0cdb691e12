"""Fixtures for driving the command line on a temporary copy of the project.

The copy holds what the command line acts on (kata/ with its stubs, solutions/, the graders,
pyproject.toml); the autodiff_kata package stays the installed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from autodiff_kata import stubs
from autodiff_kata.cli import main
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, Exercise

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)

# Environment variables that make rich colour a pipe, or stop it colouring a terminal.
TERMINAL_VARIABLES = ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS")


@dataclass
class Kata:
    """A temporary copy of the project, and ways to run the command line on it."""

    root: Path
    capsys: pytest.CaptureFixture[str]

    def file(self, exercise: Exercise) -> Path:
        return self.root / "kata" / exercise.filename

    def solve(self, exercise: Exercise, extra: str = "") -> None:
        """Put the reference solution in the learner's file (plus `extra` lines)."""
        text = (self.root / "solutions" / exercise.filename).read_text()
        self.file(exercise).write_text(text + extra)

    def graded(self, exercise: Exercise) -> bool:
        return (self.root / "tests" / "graders" / f"test_{exercise.module}.py").is_file()

    @staticmethod
    def env() -> dict[str, str]:
        """The environment of a command whose output is piped: plain text, UTF-8, unbuffered."""
        return plain_env()

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return git(self.root, *args)

    def cli(self, *args: str) -> tuple[int, str, str]:
        """main() in this process: (exit code, stdout, stderr)."""
        self.capsys.readouterr()
        code = main([*args, "--project", str(self.root)])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def run(
        self, *args: str, cwd: Path | None = None, timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        """`python -m autodiff_kata ARGS` in a subprocess, output piped (not a terminal)."""
        return subprocess.run(
            [sys.executable, "-m", "autodiff_kata", *args],
            cwd=cwd or self.root,
            env=plain_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def plain_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_VARIABLES}
    return {**env, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


def _copy_project(target: Path) -> None:
    """The files the command line reads, with kata/ as the course hands it out."""
    for folder in ("solutions", "tests/graders"):
        (target / folder).mkdir(parents=True)
        for source in (PROJECT.root / folder).glob("*.py"):
            shutil.copy2(source, target / folder / source.name)
    for name in ("pyproject.toml", ".gitignore", "tests/conftest.py"):
        if (PROJECT.root / name).is_file():
            shutil.copy2(PROJECT.root / name, target / name)
    (target / "kata").mkdir()
    for exercise in EXERCISES:  # the stubs as handed out, whatever someone did in kata/
        solution = (PROJECT.solutions / exercise.filename).read_text()
        (target / "kata" / exercise.filename).write_text(stubs.stub_text(exercise, solution))


@pytest.fixture(autouse=True)
def _not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output is plain unless a test asks for a terminal."""
    for name in TERMINAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def kata(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Kata:
    root = tmp_path / "project"
    _copy_project(root)
    return Kata(root, capsys)


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=Learner", "-c", "user.email=learner@example.org",
         "-c", "commit.gpgsign=false", *args],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


@pytest.fixture
def git_kata(kata: Kata) -> Iterator[Kata]:
    """The copy as a fresh clone: a git checkout whose last commit holds the stubs."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(kata.root, "init", "-q")
    git(kata.root, "add", ".")
    assert git(kata.root, "commit", "-q", "-m", "the course").returncode == 0
    yield kata
