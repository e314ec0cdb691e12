"""Counts in words, so that no message reads "1 steps" or "all 2 of its tests"."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """n and the noun: "1 step", "2 steps", "0 steps"; `plural` where an added s is wrong."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def all_of_its(n: int, noun: str, plural: str | None = None) -> str:
    """All n of something, as a person says it: "its one test", "both of its tests",
    "all 3 of its tests" ("none of its tests" for 0)."""
    many = plural or noun + "s"
    if n == 0:
        return f"none of its {many}"
    if n == 1:
        return f"its one {noun}"
    if n == 2:
        return f"both of its {many}"
    return f"all {n} of its {many}"


def verb(n: int, singular: str, plural: str) -> str:
    """The verb agreeing with a count: verb(1, "passes", "pass") is "passes"."""
    return singular if n == 1 else plural
