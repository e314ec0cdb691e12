"""Grades exercise 5: torch.optim.SGD fed explicitly computed gradients.

Each drawn example runs the same f from two starts (one of them, sometimes, the chapter's
x0 = 0) and a second function from the first start.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import convex_functions, learning_rates, other_points, tensors
from autodiff_kata.grading import (
    DEVICES,
    answers_fixture,
    check_chapter_descent,
    grade_descent,
)

answers = answers_fixture()


def test_reproduces_the_chapter(impl, sgd_recorder):
    check_chapter_descent(impl, "minimise_with_gradients", sgd_recorder=sgd_recorder, closure=False)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=6)
@given(
    f=convex_functions(),
    x0=tensors(shapes=((), (2,))),
    steps=st.integers(1, 30),
    lr=learning_rates(),
    requires_grad=st.booleans(),
    data=st.data(),
)
def test_minimises_any_convex_function(
    impl, sgd_recorder, answers, device, f, x0, steps, lr, requires_grad, data
):
    other = data.draw(convex_functions(), label="a second function")
    elsewhere = data.draw(other_points(like=x0), label="a second x0")
    for function, start in ((f, x0), (other, x0), (f, elsewhere)):
        grade_descent(
            impl.minimise_with_gradients, function,
            start.to(device).requires_grad_(requires_grad), steps=steps, lr=lr,
            sgd_recorder=sgd_recorder, closure=False, answers=answers,
        )  # fmt: skip
