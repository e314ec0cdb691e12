"""Counts read as a person writes them: "1 step", "both of its tests"."""

from __future__ import annotations

import pytest

from autodiff_kata import words


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0 steps"), (1, "1 step"), (2, "2 steps"), (1000, "1000 steps")]
)
def test_count_agrees_with_its_number(n, expected):
    assert words.count(n, "step") == expected


def test_count_takes_an_irregular_plural():
    assert words.count(1, "submission") == "1 submission"
    assert words.count(3, "opt.step() call") == "3 opt.step() calls"
    assert words.count(2, "child", "children") == "2 children"
    assert words.count(1, "child", "children") == "1 child"


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "none of its tests pass"),
        (1, "its one test passes"),
        (2, "both of its tests pass"),
        (3, "all 3 of its tests pass"),
    ],
)
def test_all_of_its_tests_pass(n, expected):
    assert f"{words.all_of_its(n, 'test')} {words.verb(n, 'passes', 'pass')}" == expected
