"""The course as Markdown tables, from the registry: `python -m autodiff_kata.docs` prints
each exercise's TensorFlow construct and PyTorch idiom, part by part, then each worked example
and the values it prints (for a syllabus or a course page; no file of the project holds them,
so that adding an exercise touches only its own files and the registry)."""

from __future__ import annotations

import argparse

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


def course() -> str:
    return f"{course_table()}\n\n{values_table()}\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m autodiff_kata.docs", description=__doc__)
    parser.parse_args(argv)
    print(course(), end="")


if __name__ == "__main__":
    main()
