"""Grades exercise 7: exercise 5 with every gradient from torch.compile'd code.

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
    check_compiled,
    check_compiled_steps,
    grade_descent,
)

answers = answers_fixture()


def test_reproduces_the_chapter(impl, sgd_recorder, compile_recorder):
    check_chapter_descent(
        impl, "minimise_with_gradients_in_graph_mode", sgd_recorder=sgd_recorder, closure=False
    )
    check_compiled(compile_recorder, runs=1000)
    check_compiled_steps(sgd_recorder, steps=1000, closure=False)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=3)
@given(
    f=convex_functions(),
    x0=tensors(shapes=((), (2,))),
    steps=st.integers(1, 12),
    lr=learning_rates(),
    data=st.data(),
)
def test_minimises_any_convex_function(
    impl, sgd_recorder, compile_recorder, answers, device, f, x0, steps, lr, data
):
    other = data.draw(convex_functions(), label="a second function")
    elsewhere = data.draw(other_points(like=x0), label="a second x0")
    for function, start in ((f, x0), (other, x0), (f, elsewhere)):
        compile_recorder.reset()
        grade_descent(
            impl.minimise_with_gradients_in_graph_mode, function, start.to(device),
            steps=steps, lr=lr, sgd_recorder=sgd_recorder, closure=False, answers=answers,
        )  # fmt: skip
        check_compiled(compile_recorder, runs=steps)
        check_compiled_steps(sgd_recorder, steps=steps, closure=False)
