"""Grades exercise 2: gradients with respect to x and to "constants", leaving them untouched.

Each drawn example asks about one f at two sets of values (one of them, sometimes, the
chapter's x = 0, a = 1, b = 2, c = 3) and about a second function, kinked in x at the first
x, at the first values.
"""

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
    functions_of_constants_kinked_at,
    points,
)
from autodiff_kata.grading import (
    COMPLEX_STEP,
    DEVICES,
    NOT_THE_COPIES,
    Untouched,
    answers_fixture,
    expect_close,
    expect_tuple,
    in_float32,
    is_close,
    kink_note,
    naming,
    numerical_slopes,
)
from autodiff_kata.results import Kind

HINT = "make copies of x and of every constant that require grad, then torch.autograd.grad."
UNUSED = (
    "Hint: torch.autograd.grad raises for an input the output does not depend on: either f "
    "was called on other tensors than those differentiated (the caller's, not the copies that "
    "require grad), or f does not use that input: then pass materialize_grads=True to get "
    "zeros (TensorFlow would give None)."
)
CHAPTER = (2.0, 0.0, 0.0, 1.0)  # dy/dx, dy/da, dy/db, dy/dc at x = 0, a = 1, b = 2, c = 3


answers = answers_fixture()


def by_hand(inputs, position):
    """The chapter's derivatives of a*x**2 + b*x + c, worked out by hand (2ax + b, x**2, x,
    1), at these inputs: what a formula for the chapter's f gives for any other f."""
    x, *c = inputs
    formulas = {
        0: lambda: 2 * c[0] * x + c[1] if len(c) > 1 else None,
        1: lambda: x**2,
        2: lambda: x,
        3: lambda: torch.ones_like(x),
    }
    formula = formulas.get(position)
    return formula() if formula else None


def mistakes(names, inputs, expected, position, f, answers, *, every_zero, order):
    """The answers the usual mistakes give for the gradient at `position`; `every_zero`:
    whether every gradient returned is zero; `order`: where each gradient returned is in
    the expected ones, if they are the same in another order."""
    value = inputs[position]
    others = (
        [
            (
                lambda j=order[position]: expected[j],
                f"that is {names[order[position]]}'s value: the gradients are in another "
                "order; return them in the order of the inputs, (df/dx, df/dc0, df/dc1, ...).",
            )
        ]
        if order
        else []
    )
    chapter = CHAPTER[position] if position < len(CHAPTER) else 0.0
    return (
        *answers.mistakes(f, inputs, like=value, part=position),
        (
            lambda: by_hand(inputs, position),
            "the chapter's derivatives worked out by hand (2ax + b, x**2, x, 1) fit the "
            "chapter's f only; differentiate the f given, with torch.autograd.grad.",
        ),
        *(
            [
                (
                    lambda: torch.full_like(value, chapter),
                    f"{chapter:g} is the chapter's {names[position]}, for a*x**2 + b*x + c at "
                    "x = 0, a = 1, b = 2, c = 3: hard-coded? Differentiate the f given.",
                )
            ]
            if chapter
            else []
        ),
        *(
            [
                (
                    lambda: torch.zeros_like(value),
                    "every gradient is zero: the tensors f was called with are not the ones "
                    "differentiated (f called on the caller's tensors, not on the copies that "
                    "require grad), or no input required grad at all.",
                )
            ]
            if every_zero
            else []
        ),
        *others,
        *in_float32(
            lambda *inputs32: torch.func.grad(f, argnums=position)(*inputs32),
            *inputs,
        ),
        *(
            numerical_slopes(lambda t: f(t, *inputs[1:]), inputs[0], function=f)
            if position == 0
            else ()
        ),
        (
            lambda: torch.zeros_like(value),
            "a zero gradient: did that input require grad? Make copies of x and of every "
            "constant that require grad, as the chapter's tape.watch does.",
        ),
    )


def reordering(got, expected):
    """Where each gradient in `got` is among `expected`, when `got` holds the same gradients
    in another order; else None."""
    left = list(range(len(expected)))
    order = []
    for gradient in got:
        match = next(
            (
                j
                for j in left
                if expected[j].shape == gradient.shape
                and is_close(gradient, expected[j].to(gradient.dtype))
            ),
            None,
        )
        if match is None:
            return None
        left.remove(match)
        order.append(match)
    return order if order != sorted(order) else None


def check_gradients(impl, f, x, constants, answers, *, where=None):
    """Grade the gradients of f at x and the constants, naming the mistakes they show."""
    names = ("df/dx", *(f"df/dc{i}" for i in range(len(constants))))
    inputs = (x, *constants)
    untouched = Untouched(**{f"c{i}": c for i, c in enumerate(constants)}, x=x)
    expected = torch.func.grad(f, argnums=tuple(range(len(inputs))))(*inputs)
    try:
        with naming(NOT_THE_COPIES, COMPLEX_STEP):
            got = expect_tuple(impl.gradients_wrt_constants(f, x, *constants), names)
    except ExerciseOutcome as error:
        if error.kind == Kind.RAISED and "not have been used in the graph" in error.outcome.detail:
            error.add_note(UNUSED)
        raise
    where = where or f"{f!r} at x = {x.item():g}, " + ", ".join(
        f"c{i} = {c.item():g}" for i, c in enumerate(constants)
    )
    got = [
        answers.expect_tensor(gradient, (f, i), inputs, like=value, what=name, expected=expected[i])
        for i, (name, gradient, value) in enumerate(zip(names, got, inputs, strict=True))
    ]
    every_zero = all(not bool(g.ne(0).any()) for g in got)
    order = reordering(got, expected)
    kink = kink_note(f, x)
    for i, (name, gradient) in enumerate(zip(names, got, strict=True)):
        expect_close(
            gradient,
            expected[i],
            what=f"{name} of {where}",
            hint=f"{kink}; differentiate with torch.autograd.grad." if kink and i == 0 else HINT,
            mistakes=mistakes(
                names, inputs, expected, i, f, answers, every_zero=every_zero, order=order
            ),
        )
    untouched.check()
    for i, gradient in enumerate(got):
        answers.add(f, inputs, gradient, part=i)


def test_reproduces_the_chapter(impl, answers):
    x, a, b, c = (torch.tensor(v) for v in (0.0, 1.0, 2.0, 3.0))
    check_gradients(  # the oracle's answer there is the chapter's, CHAPTER
        impl,
        chapter_quadratic_of_constants(),
        x,
        [a, b, c],
        answers,
        where="a*x**2 + b*x + c at x = 0, a = 1, b = 2, c = 3 (named c0, c1, c2)",
    )


@pytest.mark.parametrize("device", DEVICES)
@given(
    f=functions_of_constants(),
    values=st.lists(points(), min_size=5, max_size=5),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    data=st.data(),
)
def test_differentiates_any_function_of_constants(impl, answers, device, f, values, dtype, data):
    x, *constants = (torch.tensor(v, dtype=dtype, device=device) for v in values)
    constants = constants[: f.n_constants]
    if data.draw(st.booleans(), label="then at the chapter's values"):
        elsewhere = [0.0, 1.0, 2.0, 3.0, 4.0]
    else:
        elsewhere = data.draw(st.lists(points(), min_size=5, max_size=5), label="other values")
    x2, *constants2 = (torch.tensor(v, dtype=dtype, device=device) for v in elsewhere)
    kinked = data.draw(
        functions_of_constants_kinked_at(x.item(), f.n_constants), label="a function kinked at x"
    )
    check_gradients(impl, f, x, constants, answers)
    check_gradients(impl, kinked, x, constants, answers)
    check_gradients(impl, f, x2, constants2[: f.n_constants], answers)


def test_gives_zero_for_a_constant_f_does_not_use(impl, answers):
    f = FnOfConstants(scaled=((0, 1, Term("sin")),), rest=(), n_constants=2)
    check_gradients(impl, f, torch.tensor(0.5), [torch.tensor(2.0), torch.tensor(3.0)], answers)


def test_leaves_caller_tensors_that_require_grad_alone(impl, answers):
    x, a, b, c = (torch.tensor(v, requires_grad=True) for v in (0.5, 1.0, 2.0, 3.0))
    check_gradients(impl, chapter_quadratic_of_constants(), x, [a, b, c], answers)
