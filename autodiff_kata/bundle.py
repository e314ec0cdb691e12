"""The project's files that a grading platform needs, read from a checkout: one reading serves
the Gradescope zip and the GitHub Classroom template, so neither can drift from the registry.

Stubs are made from the solutions (as `autodiff-kata reset` makes them), never copied from the
checkout's kata/: an instructor who has done the kata there must not hand out the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autodiff_kata import stubs
from autodiff_kata.registry import EXERCISES

CONSTRAINTS = ".ci/constraints.txt"


@dataclass(frozen=True)
class File:
    data: bytes
    executable: bool = False


Files = dict[str, File]  # path inside the bundle, with "/" between folders -> content


class MissingFile(RuntimeError):
    """The checkout lacks a file the bundle needs; the message names it."""


def _read(root: Path, relative: str) -> bytes:
    path = root / relative
    if not path.is_file():
        raise MissingFile(f"{path} is missing: bundle from a complete checkout of the kata.")
    return path.read_bytes()


def package(root: Path) -> Files:
    """The autodiff_kata package as the checkout has it, without bytecode."""
    folder = root / "autodiff_kata"
    if not (folder / "__init__.py").is_file():
        raise MissingFile(f"{folder} is not the autodiff_kata package: bundle from a checkout.")
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(root)
        hidden = any(part.startswith(".") or part == "__pycache__" for part in relative.parts)
        if path.is_file() and not hidden and path.suffix in (".py", ".toml"):
            found[relative.as_posix()] = File(path.read_bytes())
    return found


def graders(root: Path) -> Files:
    return {
        f"tests/graders/test_{e.module}.py": File(_read(root, f"tests/graders/test_{e.module}.py"))
        for e in EXERCISES
    }


def solutions(root: Path) -> Files:
    return {
        f"solutions/{e.filename}": File(_read(root, f"solutions/{e.filename}")) for e in EXERCISES
    }


def stub_files(root: Path) -> Files:
    """kata/ as the course hands it out: each stub made from its solution."""
    return {
        f"kata/{e.filename}": File(
            stubs.stub_text(e, _read(root, f"solutions/{e.filename}").decode()).encode()
        )
        for e in EXERCISES
    }


def grading(root: Path) -> Files:
    """What grading needs anywhere: the package (registry included), the graders, the project
    file that configures pytest, and the versions the project is tested with."""
    return {
        **package(root),
        **graders(root),
        "pyproject.toml": File(_read(root, "pyproject.toml")),
        CONSTRAINTS: File(_read(root, CONSTRAINTS)),
    }


def write_folder(files: Files, out: Path) -> None:
    for name, file in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
        path.chmod(0o755 if file.executable else 0o644)
