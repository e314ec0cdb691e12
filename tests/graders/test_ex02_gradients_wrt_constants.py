"""Grades exercise 2: gradients with respect to x and to "constants", leaving them untouched."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autodiff_kata.engine.proxy import ExerciseOutcome
from autodiff_kata.functions import (
    FnOfConstants,
    Term,
    chapter_quadratic_of_constants,
    functions_of_constants,
    points,
)
from autodiff_kata.grading import DEVICES, Untouched, expect_close, expect_tensor, expect_tuple
from autodiff_kata.results import Kind

HINT = "make copies of x and of every constant that require grad, then torch.autograd.grad."
UNUSED = (
    "Hint: torch.autograd.grad raises for an input the output does not depend on; "
    "pass materialize_grads=True to get zeros (TensorFlow would give None)."
)


def check_gradients(impl, f, x, constants):
    names = ("df/dx", *(f"df/dc{i}" for i in range(len(constants))))
    inputs = (x, *constants)
    untouched = Untouched(**{f"c{i}": c for i, c in enumerate(constants)}, x=x)
    try:
        got = expect_tuple(impl.gradients_wrt_constants(f, x, *constants), names)
    except ExerciseOutcome as error:
        if error.kind == Kind.RAISED and "not have been used in the graph" in error.outcome.detail:
            error.add_note(UNUSED)
        raise
    expected = torch.func.grad(f, argnums=tuple(range(len(inputs))))(*inputs)
    where = f"{f!r} at x = {x.item():g}, " + ", ".join(
        f"c{i} = {c.item():g}" for i, c in enumerate(constants)
    )
    for name, gradient, want, value in zip(names, got, expected, inputs, strict=True):
        expect_close(
            expect_tensor(gradient, like=value, what=name),
            want,
            what=f"{name} of {where}",
            hint=HINT,
            mistakes=(
                (
                    lambda w=want: torch.zeros_like(w),
                    "a zero gradient: did that input require grad?",
                ),
            ),
        )
    untouched.check()


def test_reproduces_the_chapter(impl):
    x, a, b, c = (torch.tensor(v) for v in (0.0, 1.0, 2.0, 3.0))
    got = expect_tuple(
        impl.gradients_wrt_constants(chapter_quadratic_of_constants(), x, a, b, c),
        ("dy/dx", "dy/da", "dy/db", "dy/dc"),
    )
    for name, gradient, value in zip(
        ("dy/dx", "dy/da", "dy/db", "dy/dc"), got, (2, 0, 0, 1), strict=True
    ):
        expect_close(
            expect_tensor(gradient, like=x, what=name),
            torch.tensor(float(value)),
            what=f"{name} of a*x**2 + b*x + c at x = 0, a = 1, b = 2, c = 3",
            hint=HINT,
        )


@pytest.mark.parametrize("device", DEVICES)
@given(
    f=functions_of_constants(),
    values=st.lists(points(), min_size=5, max_size=5),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_differentiates_any_function_of_constants(impl, device, f, values, dtype):
    x, *constants = (torch.tensor(v, dtype=dtype, device=device) for v in values)
    check_gradients(impl, f, x, constants[: f.n_constants])


def test_gives_zero_for_a_constant_f_does_not_use(impl):
    f = FnOfConstants(scaled=((0, 1, Term("sin")),), rest=(), n_constants=2)
    check_gradients(impl, f, torch.tensor(0.5), [torch.tensor(2.0), torch.tensor(3.0)])


def test_leaves_caller_tensors_that_require_grad_alone(impl):
    x, a, b, c = (torch.tensor(v, requires_grad=True) for v in (0.5, 1.0, 2.0, 3.0))
    check_gradients(impl, chapter_quadratic_of_constants(), x, [a, b, c])
