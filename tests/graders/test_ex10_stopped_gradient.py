"""Grades exercise 10: a product whose second factor's gradient is stopped.

Each drawn example asks about f and g at a point and at a second one (sometimes the worked
example's x = 3), and about g and f swapped at the first: the product's value is the same
either way, its gradient is not.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import Fn, Term, other_points, smooth_functions, tensors
from autodiff_kata.grading import (
    DEVICES,
    NOT_THE_COPIES,
    Answers,
    Untouched,
    answers_fixture,
    derivative,
    expect_close,
    expect_tensor,
    expect_tuple,
    in_float32,
    naming,
)

HINT = "y = f(x) * g(x).detach() on a copy of x that requires grad; then torch.autograd.grad(y, x)."


answers = answers_fixture()


def stopped(f, g, x):
    """The oracle: dy/dx = f'(x)·g(x)."""
    return derivative(f, x) * g(x.detach())


def check_stopped(impl, f, g, x, answers, expected=None):
    """Grade (y, dy/dx) (the oracle's, or the `expected` pair given), naming the mistakes an
    answer shows."""
    untouched = Untouched(x=x)
    pair = (f, g)
    expected_y, expected = expected or ((f(x.detach()) * g(x.detach())).detach(), stopped(f, g, x))
    with naming(NOT_THE_COPIES):
        got = impl.stopped_gradient(f, g, x)
    y, dydx = expect_tuple(got, ("y", "dy/dx"))
    where = f"y = f(x)·stop(g(x)), {f!r}, g{repr(g)[1:]}, at x = {x.tolist()}"
    y = expect_tensor(y, like=expected_y, what="y")
    expect_close(
        y,
        expected_y,
        what=f"y of {where}",
        hint="a stopped branch keeps its value: y = f(x) * g(x).",
        mistakes=(
            (lambda: f(x.detach()), "that is f(x) alone: the stopped g(x) still multiplies it."),
        ),
    )
    dydx = answers.expect_tensor(dydx, pair, x, like=x, what="dy/dx", expected=expected)
    expect_close(
        dydx,
        expected,
        what=f"dy/dx of {where}",
        hint=HINT,
        mistakes=(
            *answers.mistakes(pair, x, like=x),
            (
                lambda: derivative(lambda t: f(t) * g(t), x),
                "that is the product rule's f'·g + f·g': the gradient flowed through g too. "
                "Stop it: g(x).detach() (tf.stop_gradient), or g(x) under torch.no_grad().",
            ),
            (
                lambda: derivative(f, x),
                "that is f'(x) alone: a stopped branch is a constant in the backward pass, not "
                "zero: it still scales f's gradient, dy/dx = f'(x)·g(x).",
            ),
            (
                lambda: derivative(lambda t: f(t.detach()) * g(t), x),
                "the gradient flowed through g and not f: the wrong branch was stopped.",
            ),
            *in_float32(lambda x32: stopped(f, g, x32), x),
        ),
    )
    untouched.check()
    answers.add(pair, x, dydx)


def test_reproduces_the_worked_example(impl):
    """y = x**2 * stop(x**3) at x = 3: y = 243, dy/dx = 162 (405 without the stop)."""
    f, g = Fn((Term("x**2"),)), Fn((Term("x**3"),))
    expected = (torch.tensor(243.0), torch.tensor(162.0))
    check_stopped(impl, f, g, torch.tensor(3.0), Answers(), expected=expected)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=8)  # three products per example: a re-grade stays near 1 s
@given(f=smooth_functions(2), g=smooth_functions(2), x=tensors(shapes=((), (3,))), data=st.data())
def test_any_product_at_any_point(impl, answers, device, f, g, x, data):
    x = x.to(device)
    elsewhere = data.draw(other_points(like=x, chapter=3.0), label="a second point")
    for first, second, point in ((f, g, x), (f, g, elsewhere), (g, f, x)):
        check_stopped(impl, first, second, point, answers)
