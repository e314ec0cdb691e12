"""Grades exercise 13: H(x)·v without the Hessian, checked against the full Hessian where
that is small.

Each drawn f is a scalar of a vector whose inputs mix, so that its Hessian is neither
diagonal nor constant; it is asked about at one x in two directions. Last, one f of a
million inputs, whose Hessian no machine holds: only a product that never builds it ends.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import (
    Fn,
    ScalarOfLongVector,
    ScalarOfVector,
    Term,
    cubic_of_two,
    scalars_of_vectors,
    tensors,
)
from autodiff_kata.grading import (
    DEVICES,
    FLOAT32,
    Untouched,
    expect_close,
    expect_tensor,
    in_float32,
    is_close,
    show,
    tolerance_for,
    too_big_for,
)

# torch.func.hessian, the oracle, loads code that warns of torch.jit.script's deprecation.
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

HINT = "torch.func.jvp(torch.func.grad(f), (x,), (v,))[1]: the gradient's derivative along v."


EXAMPLE = "f(x) = x0**2 * x1 + x1**3"

GRADIENT = (
    "that is the gradient of f, not its derivative along v: differentiate the gradient "
    "again, torch.func.jvp(torch.func.grad(f), (x,), (v,))."
)
ONES = (
    "that is H times a vector of ones (the Hessian's row sums), what differentiating the "
    "gradient's sum gives: v was not used; weigh the gradient by v (grad_outputs=v), or push "
    "v through it with jvp."
)


def hessian_times(f, x, v):
    """The oracle: the full Hessian, built (the inputs are small), times v."""
    return torch.func.hessian(f)(x.detach()) @ v


def gradient_difference(f, x, v):
    """What a central difference of gradients along v gives, in x's dtype, with a step near
    the cube root of its epsilon."""
    h = 1e-3 if x.dtype == torch.float32 else 1e-6
    gradient = torch.func.grad(f)
    return (gradient(x.detach() + h * v) - gradient(x.detach() - h * v)) / (2 * h)


def check_hvp(impl, f, x, v, expected=None, *, name=None):
    untouched = Untouched(x=x, v=v)
    expected = hessian_times(f, x, v) if expected is None else expected
    got = impl.hessian_vector_product(f, x, v)
    expect_close(
        expect_tensor(got, like=x, what="H·v"),
        expected,
        what=f"H·v for {name or repr(f)} at x = {show(x)}, v = {show(v)}",
        hint=HINT,
        mistakes=(
            (lambda: torch.func.grad(f)(x.detach()), GRADIENT),
            (lambda: hessian_times(f, x, torch.ones_like(v)), ONES),
            (
                lambda: torch.func.hessian(f)(x.detach()).diagonal() * v,
                "that is the Hessian's diagonal times v, elementwise: every second "
                "derivative across two inputs is missing. jvp of the gradient keeps them.",
            ),
            (
                lambda: gradient_difference(f, x, v),
                "a finite difference of gradients along v instead of autodiff: it is "
                "accurate to a few digits only. torch.func.jvp computes the exact product.",
                {"rtol": 1e-3, "atol": 1e-3},
            ),
            *in_float32(lambda x32, v32: hessian_times(f, x32, v32), x, v),
        ),
    )
    untouched.check()


def test_reproduces_the_worked_example(impl):
    """f(x) = x₀²·x₁ + x₁³ at [1, 2]: H = [[4, 2], [2, 12]], so H·[1, 0] = [4, 2] and
    H·[0, 1] = [2, 12]."""
    x = torch.tensor([1.0, 2.0])
    check_hvp(
        impl,
        cubic_of_two,
        x,
        torch.tensor([1.0, 0.0]),
        expected=torch.tensor([4.0, 2.0]),
        name=EXAMPLE,
    )
    check_hvp(
        impl,
        cubic_of_two,
        x,
        torch.tensor([0.0, 1.0]),
        expected=torch.tensor([2.0, 12.0]),
        name=EXAMPLE,
    )


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=4)  # each example builds two Hessians: a re-grade stays near 1 s
@given(f=scalars_of_vectors(st.integers(2, 4)), data=st.data())
def test_any_function_in_two_directions(impl, device, f: ScalarOfVector, data):
    dtype = data.draw(st.sampled_from([torch.float32, torch.float64]), label="dtype")
    vectors = tensors(shapes=((f.inputs,),), dtypes=(dtype,))
    x = data.draw(vectors, label="x").to(device)
    v = data.draw(vectors.filter(lambda v: bool(v.ne(1).any())), label="v").to(device)
    check_hvp(impl, f, x, v)
    check_hvp(impl, f, x, -2 * v)


# a million inputs: the Hessian would hold 2**40 numbers, 8 TiB in float64 ------------------

LONG = ScalarOfLongVector(
    outer=Fn((Term("sin", 1.5, 2.0),)),
    inner=Fn((Term("x**3", 0.5),)),  # one term: each is a few passes over a million numbers
)
N = 2**20

FULL_HESSIAN = (
    "the full Hessian was built (torch.func.hessian, or torch.autograd.functional.hessian): "
    "n² numbers, for 1,048,576 inputs about 10¹² of them (8 TiB in float64). H·v needs a few "
    "passes over x only: torch.func.jvp(torch.func.grad(f), (x,), (v,))[1], or double "
    "backward: g = torch.autograd.grad(f(x), x, create_graph=True)[0], then "
    "torch.autograd.grad(g, x, v)."
)


def reverse_over_reverse(f, x, v):
    """The oracle for long inputs: double backward, a few passes over x, no Hessian."""
    x = x.detach().requires_grad_()
    (gradient,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hvp,) = torch.autograd.grad(gradient, x, v)
    return hvp


def _worst(got, expected):
    """The element of got furthest outside the tolerance around expected."""
    tolerance = tolerance_for(expected.dtype)
    excess = (got - expected).abs() - tolerance["atol"] - tolerance["rtol"] * expected.abs()
    return int(excess.nan_to_num(nan=torch.inf).argmax())


def test_a_million_inputs_without_the_hessian(impl):
    """An answer that builds the Hessian passes every small input above; here it cannot end.
    Last in the module: running out of memory or time settles the exercise."""
    generator = torch.Generator().manual_seed(13)
    x, v = 4 * torch.rand(2, N, dtype=torch.float64, generator=generator) - 2
    untouched = Untouched(x=x, v=v)
    what = f"H·v for {LONG!r}, at x and v of {N:,} random numbers in [-2, 2]"
    with too_big_for(what, FULL_HESSIAN):
        got = impl.hessian_vector_product(LONG, x, v)
    got = expect_tensor(got, like=x, what=what)
    expected = reverse_over_reverse(LONG, x, v)
    if not is_close(got, expected, **tolerance_for(expected.dtype)):
        at = sorted({0, _worst(got, expected), N - 1})  # a million numbers would not read
        mistakes = (
            (lambda: torch.func.grad(LONG)(x), GRADIENT),
            (lambda: reverse_over_reverse(LONG, x, torch.ones_like(v)), ONES),
            # kept in float32, to be matched at float32's precision: over a million inputs,
            # the submission's float32 rounding is not the oracle's
            (lambda: reverse_over_reverse(LONG, x.float(), v.float()), FLOAT32),
        )
        expect_close(
            got[at],
            expected[at],
            what=f"{what}, elements {at}",
            hint=HINT,
            mistakes=tuple((lambda a=answer: a()[at], *rest) for answer, *rest in mistakes),
        )
    untouched.check()
