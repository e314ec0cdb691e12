"""`compare`: many submissions graded side by side with the reference (see command.py)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from autodiff_kata.compare.command import main as command_main

    return command_main(argv)
