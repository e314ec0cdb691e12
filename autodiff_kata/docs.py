"""The README's course table, from the registry: `python -m autodiff_kata.docs` rewrites it."""

from __future__ import annotations

from pathlib import Path

from autodiff_kata.registry import EXERCISES, PROJECT_ROOT

BEGIN = "<!-- course table: python -m autodiff_kata.docs -->"
END = "<!-- end of course table -->"


def course_table() -> str:
    rows = [
        "| # | exercise (kata/…) | TensorFlow, in the chapter | PyTorch, in the kata |",
        "|---|---|---|---|",
        *(
            f"| {e.number} | {e.title} (`{e.filename}`) | {e.tensorflow} | {e.pytorch} |"
            for e in EXERCISES
        ),
    ]
    return "\n".join(rows)


def with_course_table(readme: str) -> str:
    """The README text with the table between the markers replaced by the registry's."""
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{course_table()}\n{END}{tail}"


def main(readme: Path = PROJECT_ROOT / "README.md") -> None:
    readme.write_text(with_course_table(readme.read_text()))


if __name__ == "__main__":
    main()
