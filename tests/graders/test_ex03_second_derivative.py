"""Grades exercise 3: the second derivative, of nonlinear and linear functions.

Each drawn example asks about one f at two points (one of them, sometimes, the chapter's
x = 0) and about a second function, kinked at the first point (relu or abs there, where
autograd's second derivative of that term is 0 and any finite difference blows up).
"""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autodiff_kata.engine.proxy import ExerciseOutcome
from autodiff_kata.functions import (
    Fn,
    Term,
    kinked_functions,
    other_points,
    quadratic,
    smooth_functions,
    tensors,
)
from autodiff_kata.grading import (
    COMPLEX_STEP,
    DEVICES,
    Untouched,
    answers_fixture,
    derivative,
    expect_close,
    expect_tensor,
    in_float32,
    kink_at,
    name_mistake,
    naming,
    second_derivative,
    second_difference,
)
from autodiff_kata.results import Kind

HINT = "differentiate y = f(x) with create_graph=True, then differentiate that result again."
NO_GRAPH = "does not require grad and does not have a grad_fn"
CREATE_GRAPH = (
    NO_GRAPH,
    "the first torch.autograd.grad was called without create_graph=True, so the derivative "
    "it returns has no graph to differentiate again: grad(y, x, create_graph=True), then "
    "grad of that.",
)


answers = answers_fixture()


def check_second_derivative(impl, f, x, answers):
    """Grade d2f/dx2 at x, naming the mistakes an answer shows."""
    untouched = Untouched(x=x)
    expected = second_derivative(f, x)
    with naming(CREATE_GRAPH, COMPLEX_STEP):
        got = impl.second_derivative(f, x)
    got = answers.expect_tensor(got, f, x, like=x, what="d2f/dx2", expected=expected)
    kink = kink_at(f, x)
    expect_close(
        got,
        expected,
        what=f"d2f/dx2 of {f!r} at x = {x.item():g}",
        hint=(
            f"f has a kink at x = {kink:g} (relu or abs there): autograd's second derivative "
            "of that term is 0, and a finite difference blows up there. Differentiate twice "
            "with torch.autograd.grad."
            if kink is not None
            else HINT
        ),
        mistakes=(
            *answers.mistakes(f, x, like=x),
            (lambda: derivative(f, x), "that is the first derivative: differentiate it again."),
            (
                lambda: torch.full_like(x, 2.0),
                "the chapter's 2.0, for x**2 + 2*x + 3 at x = 0: hard-coded, special-cased for "
                "x = 0, or cached from an earlier call at x = 0? Compute it for the f given, on "
                "every call."
                if x.item() == 0
                else "the chapter's 2.0, hard-coded; use the f given.",
            ),
            *in_float32(lambda x32: second_derivative(f, x32), x),
            second_difference(f, x),
        ),
    )
    untouched.check()
    answers.add(f, x, got)


def test_reproduces_the_chapter(impl):
    x = torch.tensor(0.0)
    with naming(CREATE_GRAPH):
        got = impl.second_derivative(quadratic(1, 2, 3), x)
    expect_close(
        expect_tensor(got, like=x, what="d2y/dx2"),
        torch.tensor(2.0),
        what="d2y/dx2 of x**2 + 2*x + 3 at x = 0",
        hint=HINT,
    )


@pytest.mark.parametrize("device", DEVICES)
@given(f=smooth_functions(), x=tensors(), data=st.data())
def test_differentiates_any_function_twice(impl, answers, device, f, x, data):
    x = x.to(device)
    elsewhere = data.draw(other_points(like=x), label="a second point")
    kinked = data.draw(kinked_functions(x.item()), label="a function kinked at x")
    for function, point in ((f, x), (kinked, x), (f, elsewhere)):
        check_second_derivative(impl, function, point, answers)


def test_gives_zero_for_a_linear_function(impl):
    f = Fn((Term("x", 3.0), Term("1", 1.0)))
    x = torch.tensor(0.5)
    try:
        got = impl.second_derivative(f, x)
    except ExerciseOutcome as error:
        if error.kind == Kind.RAISED and NO_GRAPH in error.outcome.detail:
            if nonlinear_works(impl):
                error.add_note(
                    "Hint: for a linear f the first derivative is a constant with no grad_fn, "
                    "so it cannot be differentiated again; its second derivative is 0 (check "
                    "dydx.requires_grad, or use torch.func.grad twice)."
                )
            else:
                name_mistake(error, CREATE_GRAPH[1])
        raise
    expect_close(
        expect_tensor(got, like=x, what="d2f/dx2"),
        torch.tensor(0.0),
        what=f"d2f/dx2 of the linear {f!r}",
        hint="a linear function has second derivative zero.",
    )


def nonlinear_works(impl):
    """Whether the submission differentiates the chapter's quadratic twice without raising."""
    try:
        impl.second_derivative(quadratic(1, 2, 3), torch.tensor(0.5))
    except ExerciseOutcome:
        return False
    return True
