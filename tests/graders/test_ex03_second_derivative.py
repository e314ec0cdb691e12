"""Grades exercise 3: the second derivative, of nonlinear and linear functions."""

import pytest
import torch
from hypothesis import given

from autodiff_kata.functions import Fn, Term, quadratic, smooth_functions, tensors
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    derivative,
    expect_close,
    expect_tensor,
    second_derivative,
)

HINT = "differentiate y = f(x) with create_graph=True, then differentiate that result again."


def test_reproduces_the_chapter(impl):
    x = torch.tensor(0.0)
    expect_close(
        expect_tensor(impl.second_derivative(quadratic(1, 2, 3), x), like=x, what="d2y/dx2"),
        torch.tensor(2.0),
        what="d2y/dx2 of x**2 + 2*x + 3 at x = 0",
        hint=HINT,
    )


@pytest.mark.parametrize("device", DEVICES)
@given(f=smooth_functions(), x=tensors())
def test_differentiates_any_function_twice(impl, device, f, x):
    x = x.to(device)
    untouched = Untouched(x=x)
    got = expect_tensor(impl.second_derivative(f, x), like=x, what="d2f/dx2")
    expect_close(
        got,
        second_derivative(f, x),
        what=f"d2f/dx2 of {f!r} at x = {x.item():g}",
        hint=HINT,
        mistakes=(
            (lambda: derivative(f, x), "that is the first derivative: differentiate it again."),
            (lambda: torch.full_like(x, 2.0), "the chapter's 2.0, hard-coded; use the f given."),
        ),
    )
    untouched.check()


def test_gives_zero_for_a_linear_function(impl):
    f = Fn((Term("x", 3.0), Term("1", 1.0)))
    x = torch.tensor(0.5)
    try:
        got = impl.second_derivative(f, x)
    except BaseException as error:
        error.add_note(
            "Hint: for a linear f the first derivative is a constant with no grad_fn, so it "
            "cannot be differentiated again; its second derivative is 0 (check "
            "dydx.requires_grad, or use torch.func.grad twice)."
        )
        raise
    expect_close(
        expect_tensor(got, like=x, what="d2f/dx2"),
        torch.tensor(0.0),
        what=f"d2f/dx2 of the linear {f!r}",
        hint="a linear function has second derivative zero.",
    )
