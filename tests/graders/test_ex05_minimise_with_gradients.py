"""Grades exercise 5: torch.optim.SGD fed explicitly computed gradients."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import convex_functions, learning_rates, tensors
from autodiff_kata.grading import DEVICES, check_chapter_descent, grade_descent


def test_reproduces_the_chapter(impl, sgd_recorder):
    check_chapter_descent(impl.minimise_with_gradients, sgd_recorder=sgd_recorder, closure=False)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=12)
@given(
    f=convex_functions(),
    x0=tensors(shapes=((), (2,))),
    steps=st.integers(1, 30),
    lr=learning_rates(),
    requires_grad=st.booleans(),
)
def test_minimises_any_convex_function(impl, sgd_recorder, device, f, x0, steps, lr, requires_grad):
    x0 = x0.to(device).requires_grad_(requires_grad)
    grade_descent(
        impl.minimise_with_gradients, f, x0, steps=steps, lr=lr, sgd_recorder=sgd_recorder,
        closure=False,
    )  # fmt: skip
