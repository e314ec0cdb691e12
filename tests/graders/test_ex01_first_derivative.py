"""Grades exercise 1: the first derivative, of the chapter's quadratic and of any function.

Each drawn example asks about one f at two points (one of them, sometimes, the chapter's
x = 0) and about a second function at the first point, whose kink there (relu or abs) tells
autodiff from finite differences.
"""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autodiff_kata.functions import (
    kinked_functions,
    other_points,
    quadratic,
    smooth_functions,
    tensors,
)
from autodiff_kata.grading import (
    COMPLEX_STEP,
    DEVICES,
    NOT_THE_COPIES,
    Untouched,
    answers_fixture,
    derivative,
    expect_close,
    expect_tensor,
    in_float32,
    kink_note,
    naming,
    numerical_slopes,
)

FORMULA = "a derivative worked out by hand fits one function only; differentiate the f given."


answers = answers_fixture()


def test_reproduces_the_chapter(impl):
    x = torch.tensor(0.0)
    with naming(NOT_THE_COPIES):
        dydx = impl.first_derivative(quadratic(1, 2, 3), x)
    expect_close(
        expect_tensor(dydx, like=x, what="dy/dx"),
        torch.tensor(2.0),
        what="dy/dx of x**2 + 2*x + 3 at x = 0",
        hint="compute y = f(x) on a copy of x that requires grad, then torch.autograd.grad(y, x).",
    )


def hard_coded(x):
    """What to say of the chapter's 2.0 as an answer at x."""
    if bool((x == 0).all()):
        return (
            "2.0 is the chapter's answer, for x**2 + 2*x + 3 at x = 0: hard-coded, worked out "
            "by hand for that f, special-cased for x = 0, or cached from an earlier call at "
            "x = 0? Compute it for the f given, on every call."
        )
    return (
        "2.0 is the chapter's answer, for x**2 + 2*x + 3 at x = 0: hard-coded, or worked out "
        "by hand for that f? " + FORMULA
    )


def check_derivative(impl, f, x, answers):
    """Grade df/dx at x, naming the mistakes an answer shows."""
    untouched = Untouched(x=x)
    expected = derivative(f, x)
    with naming(NOT_THE_COPIES, COMPLEX_STEP):
        got = impl.first_derivative(f, x)
    dydx = answers.expect_tensor(got, f, x, like=x, what="df/dx", expected=expected)
    kink = kink_note(f, x)
    expect_close(
        dydx,
        expected,
        what=f"df/dx of {f!r} at x = {x.tolist()}",
        hint=f"{kink}; differentiate with torch.autograd.grad." if kink else FORMULA,
        mistakes=(
            *answers.mistakes(f, x, like=x),
            (lambda: torch.full_like(x, 2.0), hard_coded(x)),
            (
                lambda: 2 * x + 2,
                "2x + 2 is the chapter's derivative, of x**2 + 2*x + 3, worked out by hand. "
                + FORMULA,
            ),
            *in_float32(lambda x32: derivative(f, x32), x),
            *numerical_slopes(f, x),
        ),
    )
    untouched.check()
    answers.add(f, x, dydx)


@pytest.mark.parametrize("device", DEVICES)
@given(f=smooth_functions(), x=tensors(shapes=((), (3,))), data=st.data())
def test_differentiates_any_function(impl, answers, device, f, x, data):
    x = x.to(device)
    elsewhere = data.draw(other_points(like=x), label="a second point")
    kinked = data.draw(kinked_functions(x.flatten()[0].item()), label="a function kinked at x")
    for function, point in ((f, x), (kinked, x), (f, elsewhere)):
        check_derivative(impl, function, point, answers)


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
