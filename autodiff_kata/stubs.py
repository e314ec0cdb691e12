"""The stub of an exercise, for `reset`: the file as the course handed it out.

kata/ holds the learner's work, so the pristine stub comes from git: the latest committed
version of kata/<module>.py that is still a stub (a learner who commits their work does not
lose the stub). Without git, or with no stub in its history, the stub is rebuilt from the
reference solution: the same file with each function's body replaced by a
`raise NotImplementedError` (the stub's own task text is then lost; the docstrings stay).
"""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass

from autodiff_kata.project import Project
from autodiff_kata.registry import Exercise


def is_stub(source: str, exercise: Exercise) -> bool:
    """Whether every function the learner writes only raises NotImplementedError."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    return all(
        name in functions and _only_raises_not_implemented(functions[name])
        for name in exercise.functions
    )


def _body_without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    first = body[0]
    is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return body[1:] if is_docstring and isinstance(first.value.value, str) else body


def _only_raises_not_implemented(function: ast.FunctionDef) -> bool:
    body = _body_without_docstring(function)
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def _git(project: Project, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(project.root), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def from_git(project: Project, exercise: Exercise) -> str | None:
    """The latest committed stub of the exercise, if the project is a git checkout."""
    relative = f"kata/{exercise.filename}"
    commits = _git(project, "log", "--format=%H", "--", relative)
    for commit in (commits or "").split()[:200]:
        text = _git(project, "show", f"{commit}:./{relative}")
        if text is not None and is_stub(text, exercise):
            return text
    return None


def from_solution(source: str, exercise: Exercise) -> str:
    """The solution with the body of each function the learner writes replaced."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    functions = [
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in exercise.functions
    ]
    for function in sorted(functions, key=lambda n: n.lineno, reverse=True):
        body = _body_without_docstring(function)
        if not body or body[0].lineno == function.lineno:
            continue  # a one-line function: leave it, the grader still tells what is missing
        indent = " " * body[0].col_offset
        task = (
            f"write {function.name}(): the docstrings say what it must do; "
            f"`autodiff-kata hint {exercise.number}` helps"
        )
        lines[body[0].lineno - 1 : function.end_lineno] = [
            f"{indent}raise NotImplementedError(\n{indent}    {task!r}\n{indent})\n"
        ]
    return "".join(lines)


@dataclass(frozen=True)
class Stub:
    text: str
    origin: str  # where it came from, said to the learner
    exact: bool  # the file as handed out (from git), not rebuilt from the solution


def stub(project: Project, exercise: Exercise) -> Stub:
    text = from_git(project, exercise)
    if text is not None:
        return Stub(text, "the stub committed in git", exact=True)
    solution = project.solution_file(exercise)
    rebuilt = from_solution(solution.read_text(), exercise)
    return Stub(rebuilt, f"a stub rebuilt from solutions/{solution.name}", exact=False)
