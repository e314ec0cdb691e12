"""`solution`: the reference only once the exercise passes, with a diff against the learner's."""

from __future__ import annotations

from autodiff_kata.registry import find

BODY = "x = x.detach().requires_grad_()"  # a line of the reference's body, not in the stub


def test_solution_refused_before_a_pass_and_shown_after(kata):
    ex01 = find(1)
    assert BODY in (kata.root / "solutions" / ex01.filename).read_text()

    code, out, _ = kata.cli("solution", "1")
    assert code == 1
    assert "does not pass yet" in out
    assert "--force" in out
    assert BODY not in out

    code, out, _ = kata.cli("solution", "1", "--force")
    assert code == 0
    assert BODY in out

    kata.solve(ex01, extra="# my note\n")
    code, out, _ = kata.cli("solution", "first_derivative")
    assert code == 0
    assert BODY in out
    assert f"--- kata/{ex01.filename} (yours)" in out
    assert f"+++ solutions/{ex01.filename} (reference)" in out
    assert "\n-# my note" in out
