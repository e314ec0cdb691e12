"""The README's tables of the course, from the registry: `python -m autodiff_kata.docs`
rewrites them in the checkout it is run in (or `--project DIR`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, PARTS, in_part


def course_table() -> str:
    """Each part's exercises: the TensorFlow construct and the PyTorch idiom of each."""
    parts = [
        "\n".join(
            [
                f"**Part {part}: {title}**",
                "",
                "| # | exercise (kata/…) | TensorFlow | PyTorch, in the kata |",
                "|---|---|---|---|",
                *(
                    f"| {e.number} | {e.title} (`{e.filename}`) | {e.tensorflow} | {e.pytorch} |"
                    for e in in_part(part)
                ),
            ]
        )
        for part, title in PARTS.items()
        if in_part(part)
    ]
    return "\n\n".join(parts)


def values_table() -> str:
    """The worked example of each exercise and the values it prints."""
    rows = [
        "| # | worked example | the values it prints |",
        "|---|---|---|",
        *(f"| {e.number} | {e.example} | {e.values} |" for e in EXERCISES),
    ]
    return "\n".join(rows)


#: Each generated block of the README: its opening marker, its closing marker, its text.
BLOCKS = (
    ("<!-- course table: python -m autodiff_kata.docs -->", "<!-- end of course table -->",
     course_table),
    ("<!-- values table: python -m autodiff_kata.docs -->", "<!-- end of values table -->",
     values_table),
)  # fmt: skip


def with_tables(readme: str) -> str:
    """The README text with each block between its markers replaced by the registry's."""
    for begin, end, table in BLOCKS:
        head, rest = readme.split(begin, 1)
        _, tail = rest.split(end, 1)
        readme = f"{head}{begin}\n{table()}\n{end}{tail}"
    return readme


def write(project: Project) -> Path:
    readme = project.root / "README.md"
    readme.write_text(with_tables(readme.read_text()))
    return readme


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autodiff_kata.docs", description=__doc__)
    parser.add_argument("--project", type=Path, help="the kata checkout (default: the one here)")
    args = parser.parse_args(argv)
    project = Project.locate(args.project) if args.project else Project.locate()
    print(f"rewrote {write(project)}")


if __name__ == "__main__":
    main()
