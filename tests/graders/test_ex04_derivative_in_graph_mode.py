"""Grades exercise 4: the derivative computed by torch.compile'd code, input cast to float32.

The derivative must come out of a compiled graph that takes it (torch.func.grad inside it,
or torch.autograd.grad traced with torch._dynamo.config.trace_autograd_ops), not from eager
code beside it, nor only pass through a compiled copy. Each drawn example asks about one f
at two points (the second, sometimes, the chapter's 0.0 or 1.0) and about a second function
at the first point.
"""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import points, quadratic, smooth_functions, tensors
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    answers_fixture,
    check_compiled,
    derivative,
    expect_close,
    expect_tensor,
    expect_tuple,
    explaining,
    fail,
    show,
)

HINT = "return (torch.func.grad(f)(x), x) from a function compiled with torch.compile."
NOT_CAST = (
    "x was not cast to float32, or not every x was: cast it with "
    "torch.as_tensor(x, dtype=torch.float32), as the chapter's tf.cast does."
)
IDIOM = (
    "the lesson's idiom is torch.func.grad(f)(x) inside the compiled function: a function "
    "transform, traced into the graph like any other operation."
)
ERRORS = (
    (
        "torch.autograd.grad` with `torch._dynamo.config.trace_autograd_ops=False",
        "TorchDynamo does not trace torch.autograd.grad (Unsupported, with fullgraph=True)",
        "torch.autograd.grad inside the compiled function: TorchDynamo does not trace it by "
        f"default, and fullgraph=True makes that an error; {IDIOM} (Setting "
        "torch._dynamo.config.trace_autograd_ops = True, as PyTorch's message suggests, "
        "traces torch.autograd.grad too, and is accepted; but it is a global, opt-in switch.)",
    ),
    (
        "Tensor.backward",
        "TorchDynamo does not trace Tensor.backward() (Unsupported, with fullgraph=True)",
        f"backward() inside the compiled function, which TorchDynamo does not trace; {IDIOM}",
    ),
    (
        "only Tensors of floating point dtype can require gradients",
        "only Tensors of floating point dtype can require gradients",
        "x was not cast to float32: an integer x (2, torch.tensor(2)) cannot be "
        "differentiated. Cast it first, torch.as_tensor(x, dtype=torch.float32), as the "
        "chapter's tf.cast does.",
    ),
)
CHAPTER = {0.0: -2.0, 1.0: 0.0}  # dy/dx of the chapter's x**2 - 2*x + 1 at its two inputs


answers = answers_fixture()


def check_derivative(impl, recorder, f, x, answers, *, device="cpu"):
    """Grade one call, x as the caller gives it (a number or a tensor of any dtype)."""
    recorder.reset()
    untouched = Untouched(x=x) if isinstance(x, torch.Tensor) else None
    as_float32 = torch.as_tensor(x, dtype=torch.float32, device=device)
    expected = derivative(f, as_float32)
    with explaining(f"derivative_in_graph_mode({f!r}, {x!r})", *ERRORS):
        got = impl.derivative_in_graph_mode(f, x)
    dydx, x_out = expect_tuple(got, ("dy/dx", "x"))
    where = f"{f!r} at x = {as_float32.item():g}"
    if not isinstance(x_out, torch.Tensor) and x_out == x:
        fail(
            f"the x returned: expected {show(as_float32)}, the tensor x was cast to; got "
            f"{x_out!r}, the caller's x as given.",
            mistake="the argument is returned, not the cast one: x = torch.as_tensor(x, "
            "dtype=torch.float32), then return (dy/dx, x) with that x.",
        )
    dydx = answers.expect_tensor(
        dydx, f, as_float32, like=as_float32, what=f"dy/dx of {where}", expected=expected,
        dtype=torch.float32, wrong_dtype=NOT_CAST,
    )  # fmt: skip
    x_out = expect_tensor(
        x_out, like=as_float32, dtype=torch.float32, what="the x returned", wrong_dtype=NOT_CAST
    )
    chapter = CHAPTER.get(as_float32.item())
    expect_close(
        dydx,
        expected,
        what=f"dy/dx of {where}",
        hint=HINT,
        mistakes=(
            *answers.mistakes(f, as_float32, like=as_float32),
            *(
                [
                    (
                        lambda: torch.full_like(as_float32, chapter),
                        f"{chapter:g} is the chapter's dy/dx at x = {as_float32.item():g}, "
                        "for x**2 - 2*x + 1: hard-coded, special-cased for the chapter's x, "
                        "or cached from an earlier call? Differentiate the f given.",
                    )
                ]
                if chapter is not None
                else []
            ),
            (lambda: f(as_float32), "that is f(x), the value, not its derivative."),
            (lambda: as_float32, "that is x: return (dy/dx, x), in that order."),
        ),
    )
    answers.add(f, as_float32, dydx)
    expect_close(
        x_out,
        as_float32,
        what="the x returned",
        hint="cast x with torch.as_tensor(x, dtype=torch.float32), as the chapter's tf.cast does.",
        mistakes=(
            (lambda: f(as_float32), "that is f(x): return (dy/dx, x), x itself, as cast."),
            (lambda: expected, "that is dy/dx: return (dy/dx, x), in that order."),
        ),
    )
    check_compiled(recorder, runs=1)
    if not recorder.produced(dydx) and not recorder.gradient_graphs:
        fail(
            "dy/dx did not come out of the compiled function: no compiled graph takes a "
            "derivative.",
            mistake="the derivative is computed in eager code, and the compiled function only "
            f"copies, casts or returns it; compute it inside: {HINT}",
        )
    if not recorder.produced(dydx):
        fail(
            "dy/dx did not come out of the compiled function: it was computed in eager code "
            "(the derivative the compiled function took is not the one returned).\n"
            f"Hint: {HINT}"
        )
    if untouched:
        untouched.check()


def test_reproduces_the_chapter(impl, compile_recorder, answers):
    compile_recorder.backend_name = "aot_eager"  # once through AOTAutograd, as inductor goes
    f = quadratic(1, -2, 1)
    for x in CHAPTER:  # as the chapter calls it: twice; the oracle gives CHAPTER's values
        check_derivative(impl, compile_recorder, f, x, answers)


def test_casts_the_input_to_float32(impl, compile_recorder, answers):
    for x in (2, torch.tensor(2), torch.tensor(2.0, dtype=torch.float64), torch.tensor(2.0)):
        check_derivative(impl, compile_recorder, quadratic(1, -2, 1), x, answers)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=4)
@given(
    f=smooth_functions(max_terms=2),
    x=tensors(),
    as_number=st.booleans(),
    data=st.data(),
)
def test_differentiates_any_function_in_graph_mode(
    impl, compile_recorder, answers, device, f, x, as_number, data
):
    other = data.draw(smooth_functions(max_terms=2), label="a second function")
    elsewhere = data.draw(st.one_of(st.sampled_from(sorted(CHAPTER)), points()), label="a second x")
    for function, point in ((f, x), (other, x), (f, torch.tensor(elsewhere, dtype=x.dtype))):
        given_x = point.item() if as_number else point.to(device)
        check_derivative(impl, compile_recorder, function, given_x, answers, device=device)
