"""Grades exercise 12: the Jacobian of a function with many outputs, at one input and at a
batch of inputs.

Each drawn f takes n numbers to m (wide, square or tall); it is asked about at one point
and at a batch of two or three, whose rows differ.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import Term, VectorFn, tensors, vector_functions
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    expect_close,
    expect_tensor,
    expect_vectorised,
    fail,
    in_float32,
    is_close,
    show,
    too_big_for,
)

# torch.func.jacfwd, the oracle, loads code that warns of torch.jit.script's deprecation.
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning"
)

HINT = "torch.func.jacrev(f)(x) (or jacfwd): one row per output, one column per input."
BATCH_HINT = "torch.func.vmap(torch.func.jacrev(f))(xs): one (m, n) Jacobian per sample."
GRADIENT = (
    "that is the gradient of f's outputs summed, what TensorFlow's tape.gradient gives for a "
    "non-scalar target: a Jacobian keeps one row per output, torch.func.jacrev(f)(x)."
)
TRANSPOSED = (
    "that is the Jacobian transposed: rows are outputs, columns inputs, (m, n); "
    "torch.func.jacrev(f)(x) lays it out so."
)
LOOP = (
    "a Python loop over the samples, paying Python's and autograd's overhead once per "
    "sample: torch.func.vmap(torch.func.jacrev(f))(xs) computes them all in one batched pass."
)
EXAMPLE = VectorFn(((1.0, 2.0), (0.0, 1.0), (3.0, 0.0)), (Term("x"),), (Term("x**2"),))


def jacobian(f, x):
    """The oracle: forward mode, whatever mode the submission chose."""
    return torch.func.jacfwd(f)(x.detach())


def batch_jacobian(f, xs):
    return torch.stack([jacobian(f, x) for x in xs])


def expect_jacobian_shape(got, expected, *, what, whole=None):
    """Name the layouts a Jacobian is likely to come back in, before the generic checks."""
    __tracebackhide__ = True
    if not isinstance(got, torch.Tensor) or got.shape == expected.shape:
        return
    found = f"{what}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}."
    if whole is not None and got.shape == whole:
        fail(
            found,
            mistake="the Jacobian of the whole batch, every sample's outputs with respect to "
            "every sample's inputs (zero wherever two samples meet); torch.func.vmap over "
            "jacrev(f) gives each sample's own.",
        )
    if got.shape == expected.shape[:-2] + expected.shape[-1:]:
        fail(found, mistake=GRADIENT)
    if got.shape == expected.shape[:-2] + expected.shape[-2:][::-1]:
        fail(found, mistake=TRANSPOSED)


def check_jacobian(impl, f, x, expected=None):
    """Grade the Jacobian (the oracle's, or the `expected` one given), naming the mistakes
    an answer shows."""
    untouched = Untouched(x=x)
    expected = jacobian(f, x) if expected is None else expected
    got = impl.jacobian(f, x)
    what = f"the Jacobian of {f!r} at x = {show(x)}"
    expect_jacobian_shape(got, expected, what=what)
    expect_close(
        expect_tensor(got, like=expected, what="the Jacobian"),
        expected,
        what=what,
        hint=HINT,
        mistakes=(
            (lambda: jacobian(f, x).T.contiguous() if f.inputs == f.outputs else None, TRANSPOSED),
            *in_float32(lambda x32: jacobian(f, x32), x),
        ),
    )
    untouched.check()


def check_batch_jacobian(impl, f, xs, expected=None):
    """Grade the batch's Jacobians (the oracle's, or the `expected` ones given)."""
    untouched = Untouched(xs=xs)
    expected = batch_jacobian(f, xs) if expected is None else expected
    got = impl.batch_jacobian(f, xs)
    what = f"the Jacobians of {f!r} at each row of xs = {show(xs)}"
    b, n = xs.shape
    expect_jacobian_shape(got, expected, what=what, whole=(b, f.outputs, b, n))
    expect_close(
        expect_tensor(got, like=expected, what="the batch's Jacobians"),
        expected,
        what=what,
        hint=BATCH_HINT,
        mistakes=(
            (
                lambda: jacobian(f, xs[0]).expand_as(expected),
                "every sample got the first sample's Jacobian: compute one per sample, "
                "torch.func.vmap(torch.func.jacrev(f))(xs).",
            ),
            (
                lambda: batch_jacobian(f, xs).transpose(1, 2) if f.inputs == f.outputs else None,
                TRANSPOSED,
            ),
            *in_float32(lambda x32: batch_jacobian(f, x32), xs),
        ),
    )
    untouched.check()


def test_reproduces_the_worked_example(impl):
    """(M @ x)**2, M = [[1, 2], [0, 1], [3, 0]]: its Jacobian at [1, 1], then at [1, 1] and
    [0, 1] as a batch."""
    at_x = torch.tensor([[6.0, 12.0], [0.0, 2.0], [18.0, 0.0]])
    check_jacobian(impl, EXAMPLE, torch.tensor([1.0, 1.0]), expected=at_x)
    at_second = torch.tensor([[4.0, 8.0], [0.0, 2.0], [0.0, 0.0]])
    xs = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    check_batch_jacobian(impl, EXAMPLE, xs, expected=torch.stack([at_x, at_second]))


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=6)  # each example checks two transforms: a re-grade stays near 1 s
@given(f=vector_functions(st.integers(1, 4), st.integers(1, 4)), data=st.data())
def test_any_function_at_a_point_and_a_batch(impl, device, f, data):
    dtype = data.draw(st.sampled_from([torch.float32, torch.float64]), label="dtype")
    b = data.draw(st.integers(2, 3), label="batch size")
    x = data.draw(tensors(shapes=((f.inputs,),), dtypes=(dtype,)), label="x").to(device)
    rows = st.lists(tensors(shapes=((f.inputs,),), dtypes=(dtype,)), min_size=b, max_size=b,
                    unique_by=lambda t: tuple(t.tolist()))  # fmt: skip
    xs = torch.stack(data.draw(rows, label="xs")).to(device)
    check_jacobian(impl, f, x)
    check_batch_jacobian(impl, f, xs)


def test_the_batch_is_vectorised(impl, operation_recorder):
    """The worked example's Jacobians for batches of 2 and 16 samples: vmap runs the same
    torch operations for both, a loop runs them again for each sample."""
    operations = {}
    for size in (2, 16):
        xs = torch.linspace(-1.0, 1.0, 2 * size).reshape(size, 2)
        check_batch_jacobian(impl, EXAMPLE, xs)
        operations[size] = operation_recorder.last
    expect_vectorised(operations, what="batch_jacobian(f, xs)", mistake=LOOP)


# a batch of 16,384: each sample's Jacobian is 64 numbers, the whole batch's 1.7·10¹⁰ ---------

WIDE = VectorFn(
    tuple(tuple(((i * 8 + j) % 5 - 2) / 4 for j in range(8)) for i in range(8)),
    (Term("tanh"),),
    (Term("x**2"),),
)
BATCH = 2**14
WHOLE_JACOBIAN = (
    "the Jacobian of the whole batch was built (every sample's outputs with respect to every "
    "sample's inputs, zero wherever two samples meet) and each sample's block taken from it: "
    "(b·m)·(b·n) numbers, for 16,384 samples of 8 → 8 about 1.7·10¹⁰ (128 GiB in float64). "
    "torch.func.vmap(torch.func.jacrev(f))(xs) builds only each sample's own."
)


def test_a_large_batch_without_the_whole_jacobian(impl):
    """An answer that builds the whole batch's Jacobian passes every small batch above; here
    it cannot end. Last in the module: running out of memory or time settles the exercise."""
    generator = torch.Generator().manual_seed(12)
    xs = 2 * torch.rand(BATCH, 8, dtype=torch.float64, generator=generator) - 1
    untouched = Untouched(xs=xs)
    what = f"the Jacobians of {WIDE!r} at {BATCH:,} random samples in [-1, 1]"
    with too_big_for(what, WHOLE_JACOBIAN):
        got = impl.batch_jacobian(WIDE, xs)
    expected = torch.func.vmap(torch.func.jacfwd(WIDE))(xs)  # forward mode, vectorised
    expect_jacobian_shape(got, expected, what=what)
    got = expect_tensor(got, like=expected, what="the batch's Jacobians")
    if not is_close(got, expected):
        worst = int((got - expected).abs().flatten(1).amax(1).nan_to_num(nan=torch.inf).argmax())
        at = sorted({0, worst, BATCH - 1})  # 16,384 Jacobians would not read
        expect_close(got[at], expected[at], what=f"{what}, samples {at}", hint=BATCH_HINT)
    untouched.check()
