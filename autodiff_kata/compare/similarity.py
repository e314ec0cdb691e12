"""Which submissions hand in the same code for an exercise, up to names, comments and layout.

Each module is parsed and normalised: docstrings, comments and annotations go, import
aliases are resolved (`import torch as t` reads as `torch`), the names a module defines
other than the exercise's public functions become `_g0, _g1, ...`, and inside each function
its arguments and local names become `_v0, _v1, ...` in order of first appearance. The
`ast.dump` of what is left is hashed; equal hashes are "the same code".

A stub that still raises NotImplementedError has no fingerprint: unstarted exercises are
alike by construction and are not reported as twins.
"""

from __future__ import annotations

import ast
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def fingerprint(source: str, public: Iterable[str] = ()) -> str | None:
    """A hash of the normalised code, or None for a stub or code that does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    public = set(public)
    if _is_stub(tree, public):
        return None
    tree = _Normaliser(_module_names(tree, public), _aliases(tree)).visit(tree)
    tree.body = [s for s in tree.body if not isinstance(s, ast.Import | ast.ImportFrom)]
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()[:16]


def fingerprint_file(path: Path, public: Iterable[str] = ()) -> str | None:
    try:
        return fingerprint(path.read_text(errors="replace"), public)
    except OSError:
        return None


def groups(fingerprints: Mapping[str, str | None]) -> list[list[str]]:
    """Names that share a fingerprint, two or more to a group, each group and the list sorted."""
    by_hash: dict[str, list[str]] = defaultdict(list)
    for name, digest in fingerprints.items():
        if digest is not None:
            by_hash[digest].append(name)
    return sorted(sorted(names) for names in by_hash.values() if len(names) > 1)


def _is_stub(tree: ast.Module, public: set[str]) -> bool:
    """Every public function present raises NotImplementedError and does nothing else."""
    functions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in public
    ]
    return bool(functions) and all(_raises_not_implemented(f) for f in functions)


def _raises_not_implemented(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = _without_docstring(function.body)
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    exc = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[1:]
    return body


def _aliases(tree: ast.Module) -> dict[str, str]:
    """`import torch as t` → {"t": "torch"}; `from torch import Tensor as T` → {"T": "Tensor"}."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def _module_names(tree: ast.Module, public: set[str]) -> dict[str, str]:
    """Names the module defines (helpers, module constants), minus the public functions."""
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names += [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    ordered = [n for n in dict.fromkeys(names) if n not in public]
    return {name: f"_g{i}" for i, name in enumerate(ordered)}


class _Normaliser(ast.NodeTransformer):
    def __init__(self, module_names: dict[str, str], aliases: dict[str, str]) -> None:
        self.module_names = module_names
        self.aliases = aliases
        self.locals: dict[str, str] | None = None  # the current top-level function's renames

    # docstrings and annotations ---------------------------------------------------------

    def visit_Module(self, node: ast.Module) -> ast.Module:
        node.body = _without_docstring(node.body)
        self.generic_visit(node)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.ClassDef:
        node.body = _without_docstring(node.body) or [ast.Pass()]
        node.name = self.module_names.get(node.name, node.name)
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt:
        if node.value is None:
            return ast.Pass()
        return self.visit(ast.Assign(targets=[node.target], value=node.value, lineno=0))

    def visit_Expr(self, node: ast.Expr) -> ast.stmt | None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None  # a bare string: a comment in disguise
        self.generic_visit(node)
        return node

    # scopes --------------------------------------------------------------------------

    def _function(self, node: Scope) -> Scope:
        top_level = self.locals is None
        if top_level:
            self.locals = {}
        if not isinstance(node, ast.Lambda):
            node.body = _without_docstring(node.body) or [ast.Pass()]
            node.returns = None
            node.decorator_list = [self.visit(d) for d in node.decorator_list]
            node.name = self._rename(node.name, define=not top_level)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            arg.annotation = None
            arg.arg = self._rename(arg.arg, define=True)
        for arg in (node.args.vararg, node.args.kwarg):
            if arg:
                arg.annotation = None
                arg.arg = self._rename(arg.arg, define=True)
        node.args.defaults = [self.visit(d) for d in node.args.defaults]
        node.args.kw_defaults = [d and self.visit(d) for d in node.args.kw_defaults]
        if isinstance(node, ast.Lambda):
            node.body = self.visit(node.body)
        else:
            node.body = [s for s in (self.visit(s) for s in node.body) if s is not None]
        if top_level:
            self.locals = None
        return node

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def _rename(self, name: str, *, define: bool) -> str:
        if self.locals is not None:
            if name in self.locals:
                return self.locals[name]
            if define:
                self.locals[name] = f"_v{len(self.locals)}"
                return self.locals[name]
        if name in self.module_names:
            return self.module_names[name]
        return self.aliases.get(name, name)

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self._rename(node.id, define=isinstance(node.ctx, ast.Store))
        return node
