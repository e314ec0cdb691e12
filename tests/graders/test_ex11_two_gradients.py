"""Grades exercise 11: dy/dx and dz/dx for y = f(x), z = g(y), from one forward pass.

The drawn f does not repeat: each call sees x moved a little further (as a forward pass with
dropout would differ), so gradients taken from two forward passes come out different from
one's. Each drawn example asks about f and g at two points.
"""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autodiff_kata.functions import (
    DriftingFn,
    Fn,
    Term,
    bounded_functions,
    other_points,
    points,
    smooth_functions,
    tensors,
)
from autodiff_kata.grading import (
    DEVICES,
    NOT_THE_COPIES,
    Answers,
    Untouched,
    answers_fixture,
    derivative,
    expect_close,
    expect_tuple,
    in_float32,
    naming,
)

HINT = (
    "y = f(x) and z = g(y) once; then torch.autograd.grad(y, x, retain_graph=True) and "
    "torch.autograd.grad(z, x)."
)
SECOND_BACKWARD = (
    "backward through the graph a second time",
    "the first backward pass freed the graph of y = f(x), as a TensorFlow tape that is not "
    "persistent forgets its record; the second, through z = g(f(x)), needs it again. Pass "
    "retain_graph=True to the first: torch.autograd.grad(y, x, retain_graph=True).",
)
TWO_PASSES = (
    "f ran twice: a second forward pass, whose f here does not give the same y (as with "
    "dropout). Call f once, and take both gradients from that one graph (retain_graph=True)."
)
ACCUMULATED = (
    "backward() adds to x.grad: the second gradient read from x.grad holds the first as well. "
    "Read it and zero it between the two, or use torch.autograd.grad."
)


answers = answers_fixture()


def gradients(f, g, x):
    """The oracle: (dy/dx, dz/dx) from f's first call."""
    return derivative(f, x), derivative(lambda t: g(f(t)), x)


def check_gradients(impl, f, g, x, answers, expected=None):
    """Grade (dy/dx, dz/dx) (the oracle's, or the `expected` pair given), naming the mistakes
    an answer shows. A DriftingFn f is differentiated at its first call; its second call's
    gradients are those of two forward passes."""
    untouched = Untouched(x=x)
    first, second = (f.at_first_call, f.at_second_call) if isinstance(f, DriftingFn) else (f, f)
    pair = (getattr(f, "fn", f), g)
    dydx, dzdx = expected or gradients(first, g, x)
    again_dydx, again_dzdx = gradients(second, g, x)
    with naming(SECOND_BACKWARD, NOT_THE_COPIES):
        got = impl.two_gradients(f, g, x)
    got_y, got_z = expect_tuple(got, ("dy/dx", "dz/dx"))
    where = f"y = f(x), z = g(y), {f!r}, g{repr(g)[1:]}, at x = {x.tolist()}"
    for part, (name, got_one, expected, again, other) in enumerate(
        (("dy/dx", got_y, dydx, again_dydx, dzdx), ("dz/dx", got_z, dzdx, again_dzdx, dydx))
    ):
        got_one = answers.expect_tensor(
            got_one, pair, x, like=x, what=name, expected=expected, part=part
        )
        expect_close(
            got_one,
            expected,
            what=f"{name} of {where}",
            hint=HINT,
            mistakes=(
                *answers.mistakes(pair, x, like=x, part=part),
                (lambda again=again: again, TWO_PASSES),
                (lambda e=expected, o=other: e + o, ACCUMULATED),
                (
                    lambda o=other: o,
                    "that is the other gradient: return (dy/dx, dz/dx), in that order.",
                ),
                *in_float32(lambda x32, e=part: gradients(first, g, x32)[e], x),
            ),
        )
        answers.add(pair, x, got_one, part=part)
    untouched.check()


def test_reproduces_the_worked_example(impl):
    """y = x**2, z = y**2 at x = 3: dy/dx = 6, dz/dx = 108."""
    square = Fn((Term("x**2"),))
    expected = (torch.tensor(6.0), torch.tensor(108.0))
    check_gradients(impl, square, square, torch.tensor(3.0), Answers(), expected=expected)


@pytest.mark.parametrize("device", DEVICES)
@given(
    f=smooth_functions(2),
    g=bounded_functions(),
    drift=points(0.1, 0.5),
    x=tensors(shapes=((), (3,))),
    data=st.data(),
)
def test_any_two_functions_at_any_point(impl, answers, device, f, g, drift, x, data):
    x = x.to(device)
    elsewhere = data.draw(other_points(like=x, chapter=3.0), label="a second point")
    for point in (x, elsewhere):
        check_gradients(impl, DriftingFn(f, drift), g, point, answers)
