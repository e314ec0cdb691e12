"""Grades exercise 1: the first derivative, of the chapter's quadratic and of any function."""

import pytest
import torch
from hypothesis import given

from autodiff_kata.functions import quadratic, smooth_functions, tensors
from autodiff_kata.grading import DEVICES, Untouched, derivative, expect_close, expect_tensor

FORMULA = "a derivative worked out by hand fits one function only; differentiate the f given."


def test_reproduces_the_chapter(impl):
    x = torch.tensor(0.0)
    dydx = impl.first_derivative(quadratic(1, 2, 3), x)
    expect_close(
        expect_tensor(dydx, like=x, what="dy/dx"),
        torch.tensor(2.0),
        what="dy/dx of x**2 + 2*x + 3 at x = 0",
        hint="compute y = f(x) on a copy of x that requires grad, then torch.autograd.grad(y, x).",
    )


@pytest.mark.parametrize("device", DEVICES)
@given(f=smooth_functions(), x=tensors(shapes=((), (3,))))
def test_differentiates_any_function(impl, device, f, x):
    x = x.to(device)
    untouched = Untouched(x=x)
    dydx = expect_tensor(impl.first_derivative(f, x), like=x, what="df/dx")
    expect_close(
        dydx,
        derivative(f, x),
        what=f"df/dx of {f!r} at x = {x.tolist()}",
        hint=FORMULA,
        mistakes=(
            (
                lambda: torch.full_like(x, 2.0),
                "2.0 is the chapter's answer, for x**2 + 2*x + 3 at x = 0: hard-coded, or "
                "worked out by hand for that f? " + FORMULA,
            ),
        ),
    )
    untouched.check()


def test_leaves_a_caller_tensor_that_requires_grad_alone(impl):
    x = torch.tensor(0.5, requires_grad=True)
    untouched = Untouched(x=x)
    f = quadratic(1, 2, 3)
    expect_close(
        expect_tensor(impl.first_derivative(f, x), like=x, what="df/dx"),
        derivative(f, x),
        what=f"df/dx of {f!r} at x = 0.5, given an x that already requires grad",
        hint="detach() x before requires_grad_(), so the caller's tensor and graph are untouched.",
    )
    untouched.check()
