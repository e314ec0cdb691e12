"""Grades exercise 9: the vector-Jacobian product of a function with many outputs.

Each drawn example asks about one f from n numbers to m at a point, with weights v, then
about the same f with other weights at the same point (an answer that ignores v, or is
cached, shows), and, where m = n, names J·v (forward mode's product) and the summed
gradient weighted elementwise.
"""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autodiff_kata.functions import Term, VectorFn, points, tensors, vector_functions
from autodiff_kata.grading import (
    DEVICES,
    NOT_THE_COPIES,
    Answers,
    Untouched,
    answers_fixture,
    expect_close,
    fail,
    in_float32,
    naming,
)

HINT = "torch.autograd.grad(f(x), x, grad_outputs=v) on a copy of x that requires grad."
NOT_A_SCALAR = (
    "implicitly created only for scalar outputs",
    "f(x) is not a scalar, and PyTorch does not sum it as TensorFlow's tape does: give the "
    "weights of its elements, torch.autograd.grad(y, x, grad_outputs=v) or "
    "y.backward(gradient=v).",
)
FORWARD_MODE = (
    "forward gradient that has a different size",
    "torch.func.jvp computes J·v, forward mode's product: its tangent has x's shape. The "
    "weights v have f's output's shape and go backward: vᵀ·J, torch.autograd.grad(y, x, "
    "grad_outputs=v).",
)
WEIGHTED_AFTER = (
    "must match the size of tensor",
    "a gradient weighted elementwise by v afterwards: v has one weight per output of f, the "
    "gradient one number per input of x. v weighs f's outputs before the backward pass: "
    "torch.autograd.grad(y, x, grad_outputs=v).",
)
SUMMED = (
    "that is the gradient of f(x).sum(), every element weighted 1: what TensorFlow's tape "
    "gives for a non-scalar target. Weigh the elements by v: grad_outputs=v."
)


answers = answers_fixture()


def vjp(f, x, v):
    """The oracle: vᵀ·J by torch.func.vjp."""
    _, pullback = torch.func.vjp(f, x.detach())
    (product,) = pullback(v)
    return product


def jvp(f, x, v):
    return torch.func.jvp(f, (x.detach(),), (v,))[1]


def check_product(impl, f, x, v, answers, expected=None):
    """Grade vᵀ·J (the oracle's, or the `expected` value given), naming the mistakes an
    answer shows."""
    untouched = Untouched(x=x, v=v)
    expected = vjp(f, x, v) if expected is None else expected
    with naming(NOT_A_SCALAR, NOT_THE_COPIES, FORWARD_MODE, WEIGHTED_AFTER):
        got = impl.vector_jacobian_product(f, x, v)
    key = (x, v)
    if isinstance(got, torch.Tensor) and got.shape == v.shape != x.shape:
        fail(
            f"vᵀ·J: expected shape {tuple(x.shape)} (x's), got {tuple(got.shape)} (f(x)'s).",
            mistake="a result shaped like f's output: that is J·v, the Jacobian times "
            "v (forward mode's product), or a gradient weighted elementwise by v afterwards. "
            "vᵀ·J has one number per input: grad_outputs=v weighs f's outputs before the "
            "backward pass.",
        )
    got = answers.expect_tensor(got, f, key, like=x, what="vᵀ·J", expected=expected)
    ones = torch.ones_like(v)
    expect_close(
        got,
        expected,
        what=f"vᵀ·J of {f!r} at x = {x.tolist()}, v = {v.tolist()}",
        hint=HINT,
        mistakes=(
            *answers.mistakes(f, key, like=x),
            (lambda: vjp(f, x, ones), SUMMED),
            (
                lambda: jvp(f, x, v) if v.shape == x.shape else None,
                "that is J·v, the Jacobian times v (forward mode's product, torch.func.jvp): "
                "the weights go on f's outputs, vᵀ·J, which reverse mode computes: "
                "grad_outputs=v.",
            ),
            (
                lambda: vjp(f, x, ones) * v if v.shape == x.shape else None,
                "the summed gradient weighted elementwise by v afterwards: v weighs f's "
                "outputs before the backward pass, not the gradient after it: grad_outputs=v.",
            ),
            *in_float32(lambda x32, v32: vjp(f, x32, v32), x, v),
        ),
    )
    untouched.check()
    answers.add(f, key, got)


def test_reproduces_the_worked_example(impl):
    """y = x**2 elementwise at x = [1, 2, 3], v = [1, 0.1, 0.01]: vᵀ·J = [2, 0.4, 0.06]."""
    square = VectorFn(((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)), (Term("x"),),
                      (Term("x**2"),))  # fmt: skip
    x = torch.tensor([1.0, 2.0, 3.0])
    v = torch.tensor([1.0, 0.1, 0.01])
    check_product(impl, square, x, v, Answers(), expected=torch.tensor([2.0, 0.4, 0.06]))


@pytest.mark.parametrize("device", DEVICES)
@given(f=vector_functions(st.integers(1, 3), st.integers(1, 3)), data=st.data())
def test_any_function_any_weights(impl, answers, device, f, data):
    dtype = data.draw(st.sampled_from([torch.float32, torch.float64]), label="dtype")
    batch = data.draw(st.sampled_from([(), (2,)]), label="batch shape")

    def draw(size):
        shape = (*batch, size)
        return data.draw(tensors(shapes=(shape,), dtypes=(dtype,))).to(device)

    x = draw(f.inputs)
    v = draw(f.outputs)
    other = v + data.draw(points(0.5, 1.5), label="a shift of v")
    for weights in (v, other):
        check_product(impl, f, x, weights, answers)
