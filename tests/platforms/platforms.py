"""What the grading platforms' tests share: a copy of the checkout to run the README's
instructor commands in, those commands as the README writes them, and a shell to run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from autodiff_kata import stubs
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)

# Environment variables that would change what the commands print or where they look.
DROPPED = ("FORCE_COLOR", "NO_COLOR", "COLUMNS", "PWD", "OLDPWD", "AUTOGRADER_ROOT", "PYTHONPATH")


def env(**extra: str) -> dict[str, str]:
    """This Python's environment, first on PATH, for the commands the README names."""
    kept = {k: v for k, v in os.environ.items() if k not in DROPPED}
    path = f"{Path(sys.executable).parent}{os.pathsep}{kept.get('PATH', '')}"
    return {**kept, "PATH": path, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", **extra}


def shell(command: str, cwd: Path, timeout: float = 300, **extra: str) -> str:
    """Run one command line with bash, as an instructor would type it; its output, or a
    failure that shows it."""
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env(**extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 0, f"`{command}` exited with {done.returncode}:\n{said[-4000:]}"
    return said


def readme_commands(heading: str) -> list[str]:
    """The command lines of the bash blocks under README's `### heading`, as written."""
    readme = (PROJECT.root / "README.md").read_text()
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^##)", readme, re.S | re.M)
    assert match, f"README.md has no section '### {heading}'"
    blocks = re.findall(r"^```bash\n(.*?)^```", match[1], re.S | re.M)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert lines, f"README.md's '{heading}' shows no commands"
    return lines


def copy_checkout(target: Path) -> Path:
    """A checkout as an instructor has one: the package, the graders, the reference, the stubs
    (kata/ holds a finished solution here on purpose: it must never reach students)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PROJECT.root / "autodiff_kata", target / "autodiff_kata", ignore=ignore)
    shutil.copytree(PROJECT.root / "tests" / "graders", target / "tests" / "graders", ignore=ignore)
    shutil.copytree(PROJECT.solutions, target / "solutions", ignore=ignore)
    (target / ".ci").mkdir()
    for name in ("pyproject.toml", "README.md", ".ci/constraints.txt"):
        shutil.copy2(PROJECT.root / name, target / name)
    (target / "kata").mkdir()
    for exercise in EXERCISES:
        solution = (PROJECT.solutions / exercise.filename).read_text()
        (target / "kata" / exercise.filename).write_text(stubs.stub_text(exercise, solution))
    first = EXERCISES[0].filename
    shutil.copy2(PROJECT.solutions / first, target / "kata" / first)
    return target
