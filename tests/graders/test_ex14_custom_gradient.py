"""Grades exercise 14: log(1 + exp(x)) as a torch.autograd.Function with a stable backward.

The submission's value and gradient are checked at drawn inputs of moderate size beside
inputs where exp(x) overflows (float32 beyond 88.7, float64 beyond 709.8), and its backward
against its own forward by torch.autograd.gradcheck (finite differences in float64),
through a Function of the grader's whose forward and backward ask the submission.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import points
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    expect_close,
    expect_tensor,
    expect_tuple,
    fail,
    in_float32,
    is_close,
    show,
)

HINT = (
    "forward: x.clamp(min=0) + torch.log1p(torch.exp(-x.abs())), saving x; backward: "
    "upstream * torch.sigmoid(x)."
)
#: Where exp(x) overflows in each dtype, and where it underflows.
LARGE = {torch.float32: (89.0, 100.0, -100.0), torch.float64: (710.0, 1000.0, -1000.0)}
NAIVE_VALUE = (
    "log(1 + exp(x)) written as it reads: exp(x) overflows to inf for large x (beyond 88.7 "
    "in float32), and so does the value; max(x, 0) + log1p(exp(-|x|)) never overflows."
)
NAIVE_GRADIENT = (
    "the slope written as exp(x) / (1 + exp(x)), or the gradient autograd derives from the "
    "plain formula: for large x it is inf / inf = nan. torch.sigmoid(x) is the same slope, "
    "computed without overflow; return upstream * torch.sigmoid(x) from backward."
)


def log1pexp(x):
    """The oracle's value, in x's dtype."""
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))


def expect_finite(got, expected, x, *, what, mistake):
    """Name an overflow (inf or nan where the answer is finite) before the generic checks."""
    __tracebackhide__ = True
    if isinstance(got, torch.Tensor) and got.shape == expected.shape:
        bad = ~got.isfinite() & expected.isfinite()
        if bool(bad.any()):
            fail(
                f"{what}: expected {show(expected)}, got {show(got)}: not finite at x = "
                f"{show(x[bad])}.",
                mistake=mistake,
            )


def check(impl, x, upstream, expected=None):
    """Grade (value, gradient) at x, weighted by upstream."""
    untouched = Untouched(x=x, upstream=upstream)
    value, gradient = expect_tuple(impl.value_and_gradient(x, upstream), ("value", "gradient"))
    expected_value = log1pexp(x) if expected is None else expected[0]
    expected_gradient = upstream * torch.sigmoid(x) if expected is None else expected[1]
    where = f"at x = {show(x)}"
    expect_finite(value, expected_value, x, what=f"log(1 + exp(x)) {where}", mistake=NAIVE_VALUE)
    expect_close(
        expect_tensor(value, like=x, what="the value"),
        expected_value,
        what=f"log(1 + exp(x)) {where}",
        hint=HINT,
        mistakes=(*in_float32(log1pexp, x),),
    )
    what = f"upstream · d/dx log(1 + exp(x)) {where}, upstream = {show(upstream)}"
    expect_finite(gradient, expected_gradient, x, what=what, mistake=NAIVE_GRADIENT)
    expect_close(
        expect_tensor(gradient, like=x, what="the gradient"),
        expected_gradient,
        what=what,
        hint=HINT,
        mistakes=(
            (
                lambda: torch.sigmoid(x),
                "upstream was not used: backward returns upstream times the local slope "
                "(the chain rule; a loss after log1pexp sends its own gradient as upstream).",
            ),
            (
                lambda: upstream * torch.sigmoid(-x),
                "that is sigmoid(-x), the slope of log(1 + exp(-x)): the slope of "
                "log(1 + exp(x)) is exp(x) / (1 + exp(x)) = sigmoid(x).",
            ),
            *in_float32(lambda x32, u32: u32 * torch.sigmoid(x32), x, upstream),
        ),
    )
    untouched.check()


def submitted(impl):
    """A Function of the grader's whose forward and backward are the submission's: what
    torch.autograd.gradcheck checks, though the submission's code runs in its worker."""

    class Submitted(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            value, _ = impl.value_and_gradient(x.detach(), torch.zeros_like(x))
            return value

        @staticmethod
        def backward(ctx, upstream):
            (x,) = ctx.saved_tensors
            _, gradient = impl.value_and_gradient(x.detach(), upstream.detach())
            return gradient

    return Submitted.apply


def test_reproduces_the_guide(impl):
    """TensorFlow's guide: at x = 0 and x = 100 in float32, value [0.6931472, 100] and
    gradient [0.5, 1.0]; the plain formula gives [0.6931472, inf] and [0.5, nan]."""
    x = torch.tensor([0.0, 100.0])
    expected = (torch.tensor([0.6931472, 100.0]), torch.tensor([0.5, 1.0]))
    check(impl, x, torch.ones_like(x), expected=expected)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=4)
@given(
    small=st.lists(points(), min_size=1, max_size=3),
    upstream=st.lists(points().filter(lambda u: u not in (0, 1)), min_size=6, max_size=6),
    dtype=st.sampled_from([torch.float32, torch.float64]),
)
def test_moderate_and_overflowing_inputs(impl, device, small, upstream, dtype):
    values = [*small, *LARGE[dtype]]
    x = torch.tensor(values, dtype=dtype, device=device)
    weights = torch.tensor(upstream[: len(values)], dtype=dtype, device=device)
    check(impl, x, weights)


@settings(max_examples=2)
@given(small=st.lists(points(), min_size=2, max_size=3, unique=True))
def test_backward_agrees_with_forward_by_gradcheck(impl, small):
    """torch.autograd.gradcheck on the submission's forward and backward, in float64."""
    x = torch.tensor([*small, 30.0, -30.0], dtype=torch.float64, requires_grad=True)
    try:
        torch.autograd.gradcheck(submitted(impl), (x,), check_backward_ad=True)
    except torch.autograd.gradcheck.GradcheckError as error:
        said = str(error).split("\n")[0]
        fail(
            f"torch.autograd.gradcheck at x = {show(x)}: {said}\nThe backward's gradient "
            "is not the slope of the forward's value (finite differences in float64).\n"
            f"Hint: {HINT}"
        )


def test_the_answer_comes_through_the_function(impl):
    """The value comes out of the submission's Function's forward and the gradient out of its
    backward: with the forward's value doubled in the worker, the value doubles; with the
    backward's gradient doubled, the gradient does. An answer computed some other way (the
    derived gradient of another formula) stays as it was."""
    x, upstream = torch.tensor([-3.0, 0.5, 40.0]), torch.tensor([1.0, -2.0, 0.5])
    value, gradient = expect_tuple(impl.value_and_gradient(x, upstream), ("value", "gradient"))
    with impl.functions_scaled(forward=2.0):
        doubled, _ = expect_tuple(impl.value_and_gradient(x, upstream), ("value", "gradient"))
    with impl.functions_scaled(backward=2.0):
        _, gradient_doubled = expect_tuple(
            impl.value_and_gradient(x, upstream), ("value", "gradient")
        )
    for what, before, after, part in (
        ("value", value, doubled, "forward"),
        ("gradient", gradient, gradient_doubled, "backward"),
    ):
        if not is_close(expect_tensor(after, like=x, what=f"the {what}"), 2 * before):
            fail(
                f"value_and_gradient(x = {show(x)}, upstream = {show(upstream)}): with the "
                f"{part} of every torch.autograd.Function in your module returning twice its "
                f"result, the {what} should double, from {show(before)}; it came back "
                f"{show(after)}.",
                mistake=f"the {what} does not come through your Function's {part}: "
                "compute both with Log1pExp.apply(x), the value as its output (detached) and "
                "the gradient by torch.autograd.grad(y, x, upstream) through it.",
            )
