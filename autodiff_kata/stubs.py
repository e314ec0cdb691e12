"""A stub is its solution with the bodies taken out: made here, for `reset` and the self-checks.

From solutions/<module>.py: the module docstring, the imports and each public function's
signature and docstring stay; each body becomes `raise NotImplementedError(<the registry's
task>)`; private helpers (`_name`) go. The text comes out as `ruff format` writes it, so
kata/ holds exactly these files.
"""

from __future__ import annotations

import ast
import re

from autodiff_kata.registry import Exercise

LINE_LENGTH = 100  # pyproject's [tool.ruff] line-length


def _raise(indent: str, task: str) -> list[str]:
    one_line = f'{indent}raise NotImplementedError("{task}")'
    if len(one_line) <= LINE_LENGTH:
        return [one_line]
    return [f"{indent}raise NotImplementedError(", f'{indent}    "{task}"', f"{indent})"]


def _docstring_end(function: ast.FunctionDef) -> int | None:
    first = function.body[0]
    is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    return first.end_lineno if is_docstring and isinstance(first.value.value, str) else None


def stub_text(exercise: Exercise, solution: str) -> str:
    """The stub of `exercise`, made from the text of its solution."""
    if '"' in exercise.task or "\\" in exercise.task:
        raise ValueError(f"{exercise.name}: a task is plain text, without quotes or backslashes")
    lines = solution.splitlines()
    for node in reversed(ast.parse(solution).body):  # from the bottom up, so line numbers hold
        if not isinstance(node, ast.FunctionDef):
            continue
        start = (node.decorator_list[0] if node.decorator_list else node).lineno - 1
        if node.name.startswith("_"):
            lines[start : node.end_lineno] = []
        elif node.name in exercise.functions:
            kept_until = _docstring_end(node) or node.body[0].lineno - 1
            indent = " " * node.body[0].col_offset
            lines[kept_until : node.end_lineno] = _raise(indent, exercise.task)
    text = "\n".join(lines).strip() + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)  # two blank lines between definitions, as before


def is_stub(source: str, exercise: Exercise) -> bool:
    """Whether every function the learner writes still only raises NotImplementedError."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    return all(
        name in functions and _only_raises_not_implemented(functions[name])
        for name in exercise.functions
    )


def _only_raises_not_implemented(function: ast.FunctionDef) -> bool:
    body = function.body[1:] if _docstring_end(function) else function.body
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
