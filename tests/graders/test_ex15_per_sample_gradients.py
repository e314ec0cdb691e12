"""Grades exercise 15: one gradient per sample, against a Python loop over the samples.

Each drawn loss is f(w @ x) for a drawn f, w a vector or a matrix, over a batch of two to
four samples whose rows differ.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import Fn, SampleLoss, Term, bounded_functions, tensors
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    expect_close,
    expect_tensor,
    expect_vectorised,
    fail,
    in_float32,
    show,
)

HINT = "torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0))(w, xs): one gradient per sample."
WITH_RESPECT_TO_X = (
    "the gradient with respect to the sample x, not the parameter w: torch.func.grad(loss) "
    "differentiates its first argument, w."
)
LOOP = (
    "a Python loop over the samples, paying Python's and autograd's overhead once per "
    "sample: torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0)) computes them all "
    "in one batched pass."
)
EXAMPLE = SampleLoss(Fn((Term("x**2"),)))


def per_sample(loss, w, xs):
    """The oracle: a Python loop, one gradient per sample."""
    gradient = torch.func.grad(loss)
    return torch.stack([gradient(w.detach(), x) for x in xs])


def expect_shape(got, expected, *, w, xs, what):
    """Name the shapes a batch's gradients are likely to come back in."""
    __tracebackhide__ = True
    if not isinstance(got, torch.Tensor) or got.shape == expected.shape:
        return
    found = f"{what}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}."
    if got.shape == w.shape:
        fail(
            found,
            mistake="the gradient of the batch's loss, the per-sample gradients summed (or "
            "averaged) into one: keep one per sample, "
            "torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0)).",
        )
    if got.shape == xs.shape:
        fail(found, mistake=WITH_RESPECT_TO_X)


def check_per_sample(impl, loss, w, xs, expected=None):
    untouched = Untouched(w=w, xs=xs)
    expected = per_sample(loss, w, xs) if expected is None else expected
    got = impl.per_sample_gradients(loss, w, xs)
    what = f"the per-sample gradients of {loss!r} at w = {show(w)}, xs = {show(xs)}"
    expect_shape(got, expected, w=w, xs=xs, what=what)
    expect_close(
        expect_tensor(got, like=expected, what="the per-sample gradients"),
        expected,
        what=what,
        hint=HINT,
        mistakes=(
            (
                lambda: per_sample(loss, w, xs).mean(0).expand_as(expected),
                "every sample got the batch's mean gradient: differentiate each sample's "
                "own loss, not the batch's.",
            ),
            (
                lambda: per_sample(loss, w, xs).sum(0).expand_as(expected),
                "every sample got the batch's summed gradient: differentiate each sample's "
                "own loss, not the batch's.",
            ),
            (
                lambda: per_sample(loss, w, xs[:1]).expand_as(expected),
                "every sample got the first sample's gradient: map over all of xs, "
                "in_dims=(None, 0).",
            ),
            (
                lambda: torch.func.vmap(torch.func.grad(loss, argnums=1), in_dims=(None, 0))(
                    w.detach(), xs
                ),
                WITH_RESPECT_TO_X,
            ),
            *in_float32(lambda w32, xs32: per_sample(loss, w32, xs32), w, xs),
        ),
    )
    untouched.check()


def test_reproduces_the_worked_example(impl):
    """loss(w, x) = (w·x)² at w = [1, 2]: 2(w·x)·x for each of the three samples."""
    w, xs = torch.tensor([1.0, 2.0]), torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    expected = torch.tensor([[2.0, 0.0], [0.0, 4.0], [6.0, 6.0]])
    check_per_sample(impl, EXAMPLE, w, xs, expected=expected)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=5)
@given(
    f=bounded_functions(),
    inputs=st.integers(1, 3),
    outputs=st.sampled_from([None, 1, 2]),
    b=st.integers(2, 4),
    data=st.data(),
)
def test_any_loss_and_batch(impl, device, f, inputs, outputs, b, data):
    dtype = data.draw(st.sampled_from([torch.float32, torch.float64]), label="dtype")
    shape = (inputs,) if outputs is None else (outputs, inputs)
    w = data.draw(tensors(shapes=(shape,), dtypes=(dtype,)), label="w").to(device)
    rows = st.lists(tensors(shapes=((inputs,),), dtypes=(dtype,)), min_size=b, max_size=b,
                    unique_by=lambda t: tuple(t.tolist()))  # fmt: skip
    xs = torch.stack(data.draw(rows, label="xs")).to(device)
    check_per_sample(impl, SampleLoss(f), w, xs)


def test_the_batch_is_vectorised(impl, operation_recorder):
    """The worked example's gradients for batches of 2 and 16 samples: vmap runs the same
    torch operations for both, a loop runs them again for each sample."""
    w = torch.tensor([1.0, 2.0])
    operations = {}
    for size in (2, 16):
        xs = torch.linspace(-1.0, 1.0, 2 * size).reshape(size, 2)
        check_per_sample(impl, EXAMPLE, w, xs)
        operations[size] = operation_recorder.last
    expect_vectorised(operations, what="per_sample_gradients(loss, w, xs)", mistake=LOOP)
