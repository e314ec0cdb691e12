"""Grades exercise 13: H(x)·v without the Hessian, checked against the full Hessian.

Each drawn f is a scalar of a vector whose inputs mix, so that its Hessian is neither
diagonal nor constant; it is asked about at one x in two directions.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import ScalarOfVector, cubic_of_two, scalars_of_vectors, tensors
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    expect_close,
    expect_tensor,
    in_float32,
    show,
)

# torch.func.hessian, the oracle, loads code that warns of torch.jit.script's deprecation.
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

HINT = "torch.func.jvp(torch.func.grad(f), (x,), (v,))[1]: the gradient's derivative along v."


EXAMPLE = "f(x) = x0**2 * x1 + x1**3"


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
            (
                lambda: torch.func.grad(f)(x.detach()),
                "that is the gradient of f, not its derivative along v: differentiate the "
                "gradient again, torch.func.jvp(torch.func.grad(f), (x,), (v,)).",
            ),
            (
                lambda: hessian_times(f, x, torch.ones_like(v)),
                "that is H times a vector of ones (the Hessian's row sums), what "
                "differentiating the gradient's sum gives: v was not used; weigh the "
                "gradient by v (grad_outputs=v), or push v through it with jvp.",
            ),
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
