"""Grades exercise 4: the derivative computed by torch.compile'd code, input cast to float32."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autodiff_kata.functions import quadratic, smooth_functions, tensors
from autodiff_kata.grading import (
    DEVICES,
    Untouched,
    check_compiled,
    derivative,
    expect_close,
    expect_tensor,
    expect_tuple,
    fail,
)

HINT = "return (torch.func.grad(f)(x), x) from a function compiled with torch.compile."
NOT_CAST = (
    "x was not cast to float32, or not every x was: cast it with "
    "torch.as_tensor(x, dtype=torch.float32), as the chapter's tf.cast does."
)


def check_derivative(impl, recorder, f, x, *, device="cpu"):
    """Grade one call, x as the caller gives it (a number or a tensor of any dtype)."""
    recorder.reset()
    untouched = Untouched(x=x) if isinstance(x, torch.Tensor) else None
    as_float32 = torch.as_tensor(x, dtype=torch.float32, device=device)
    dydx, x_out = expect_tuple(impl.derivative_in_graph_mode(f, x), ("dy/dx", "x"))
    where = f"{f!r} at x = {as_float32.item():g}"
    cast = "cast x with torch.as_tensor(x, dtype=torch.float32), as the chapter's tf.cast does."
    dydx = expect_tensor(
        dydx, like=as_float32, dtype=torch.float32, what=f"dy/dx of {where}", wrong_dtype=NOT_CAST
    )
    x_out = expect_tensor(
        x_out, like=as_float32, dtype=torch.float32, what="the x returned", wrong_dtype=NOT_CAST
    )
    expect_close(dydx, derivative(f, as_float32), what=f"dy/dx of {where}", hint=HINT)
    expect_close(x_out, as_float32, what="the x returned", hint=cast)
    check_compiled(recorder, runs=1)
    if not recorder.produced(dydx) and not recorder.gradient_graphs:
        fail(
            "dy/dx did not come out of the compiled function: no compiled graph takes a "
            "derivative.\nLikely mistake: the derivative is computed in eager code, and the "
            "compiled function only copies, casts or returns it; compute it inside: "
            f"{HINT}"
        )
    if not recorder.produced(dydx):
        fail(
            "dy/dx did not come out of the compiled function: it was computed in eager code "
            "(the derivative the compiled function took is not the one returned).\n"
            f"Hint: {HINT}"
        )
    if untouched:
        untouched.check()


def test_reproduces_the_chapter(impl, compile_recorder):
    compile_recorder.backend_name = "aot_eager"  # once through AOTAutograd, as inductor goes
    f = quadratic(1, -2, 1)
    for x, expected in ((0.0, -2.0), (1.0, 0.0)):  # as the chapter calls it: twice
        dydx, _ = expect_tuple(impl.derivative_in_graph_mode(f, x), ("dy/dx", "x"))
        expect_close(
            expect_tensor(dydx, like=torch.tensor(x), dtype=torch.float32, what="dy/dx"),
            torch.tensor(expected),
            what=f"dy/dx of {f!r} at x = {x}",
            hint=HINT,
        )
        check_derivative(impl, compile_recorder, f, x)


def test_casts_the_input_to_float32(impl, compile_recorder):
    for x in (2, torch.tensor(2), torch.tensor(2.0, dtype=torch.float64), torch.tensor(2.0)):
        check_derivative(impl, compile_recorder, quadratic(1, -2, 1), x)


@pytest.mark.parametrize("device", DEVICES)
@settings(max_examples=4)
@given(f=smooth_functions(max_terms=2), x=tensors(), as_number=st.booleans())
def test_differentiates_any_function_in_graph_mode(impl, compile_recorder, device, f, x, as_number):
    check_derivative(
        impl, compile_recorder, f, x.item() if as_number else x.to(device), device=device
    )
