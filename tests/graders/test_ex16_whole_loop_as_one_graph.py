"""Grades exercise 16: the whole descent as one compiled graph.

The evidence of one graph is its effect: the compiled code ran once or a few times for the
whole descent (not once per step, as exercise 7's), with no graph break.
Each drawn example runs f from a start and a second f from the same start.
"""

import pytest
import torch
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from autodiff_kata import words
from autodiff_kata.functions import convex_functions, learning_rates, quadratic, tensors
from autodiff_kata.grading import (
    CHAPTER_X,
    DEVICES,
    Untouched,
    check_compiled,
    descent_mistakes,
    expect_close,
    expect_tensor,
    expect_tuple,
    fail,
    in_float32,
    show,
)

HINT = (
    "each step x = x - lr * torch.func.grad(f)(x), inside torch.while_loop, in a function "
    "compiled with fullgraph=True; exactly `steps` steps."
)


def descent(f, x0, *, steps, lr):
    """The oracle: the same updates, x - lr * f'(x), in eager code and x0's dtype."""
    gradient = torch.func.grad(f)
    x = x0.detach().clone()
    for _ in range(steps):
        x = x - lr * gradient(x)
    return x


def check_one_graph(compile_recorder, x, *, steps):
    """The descent ran in the compiled graph: the x returned came out of a graph that takes
    the derivative (in its loop's body), and a few runs of it made all the steps, no break."""
    __tracebackhide__ = True
    check_compiled(compile_recorder, runs=1)
    if not compile_recorder.produced(x):
        fail(
            "the x returned did not come out of a compiled graph that takes the derivative: "
            "the descent ran in eager code.",
            mistake="the compiled function ran, but not the loop: the steps were taken "
            "outside it. Put the loop in the graph: torch.while_loop inside the compiled "
            "function, its body x - lr * torch.func.grad(f)(x), and return its x.",
        )
    runs = compile_recorder.graph_runs
    if steps > 1 and runs > steps // 2:
        fail(
            f"the compiled code ran {words.count(runs, 'time')} for "
            f"{words.count(steps, 'step')}: the loop ran in Python, around a compiled step, "
            "as in exercise 7.\nHint: put the loop itself in the graph: torch.while_loop "
            "inside the compiled function, with the step as its body."
        )


def grade(impl, compile_recorder, f, x0, *, steps, lr):
    compile_recorder.reset()
    untouched = Untouched(x0=x0)
    x, loss = expect_tuple(impl.minimise_in_one_graph(f, x0, steps=steps, lr=lr), ("x", "loss"))
    expected = descent(f, x0, steps=steps, lr=lr)
    x = expect_tensor(x, like=x0, what="the final x")
    expect_close(
        x,
        expected,
        what=f"x after {words.count(steps, 'step')} of SGD (lr={lr}) on {f!r} from x0={show(x0)}",
        hint=HINT,
        mistakes=(
            *descent_mistakes(f, x0, steps=steps, lr=lr),
            *in_float32(lambda x32: descent(f, x32, steps=steps, lr=lr), x0),
        ),
    )
    expect_close(
        expect_tensor(loss, like=x0.sum(), what="the final loss"),
        f(x.detach()),
        what=f"the loss returned beside x = {show(x)}",
        hint="return f at the final x, computed in the graph after the loop.",
        mistakes=(
            (
                lambda: f(descent(f, x0, steps=steps - 1, lr=lr)) if steps else None,
                "a stale loss, computed before the last step; compute f(x) after the loop.",
            ),
        ),
    )
    check_one_graph(compile_recorder, x, steps=steps)
    untouched.check()


def test_reproduces_the_chapter(impl, compile_recorder):
    """x² − 2x + 1 from x₀ = 0 with the defaults: x = 0.99999857, loss 0."""
    f, x0 = quadratic(1, -2, 1), torch.tensor(0.0)
    compile_recorder.reset()
    untouched = Untouched(x0=x0)
    x, loss = expect_tuple(impl.minimise_in_one_graph(f, x0), ("x", "loss"))
    x = expect_tensor(x, like=x0, what="x")
    expect_close(
        x,
        torch.tensor(CHAPTER_X),
        what=f"x after 1000 SGD steps (lr=0.01, the defaults) on {f!r} from x = 0",
        hint=HINT,
        mistakes=descent_mistakes(f, x0, steps=1000, lr=0.01),
        rtol=0.0,
        atol=2e-7,  # an ulp near 1: x - lr * g and torch.optim.SGD round differently
    )
    expect_close(
        expect_tensor(loss, like=x0, what="loss"),
        torch.tensor(0.0),
        what="the loss at the final x",
        hint="return f at the final x.",
        rtol=0,
        atol=0,
    )
    check_one_graph(compile_recorder, x, steps=1000)
    untouched.check()
    # float32 stalls near the chapter's minimum, where a step more or another lr hardly
    # shows: another f from the same x0, with steps and lr given, shows them.
    grade(impl, compile_recorder, quadratic(0.5, 1, -1), x0, steps=7, lr=0.05)


@pytest.mark.parametrize("device", DEVICES)
# Each example compiles twice, about a second each on a busy 2-core machine, and the chapter's
# descent once: one example keeps a re-grade near 2.5 s. No shrinking, which would compile
# again for every smaller example it tries, past the time limit.
@settings(max_examples=1, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    f=convex_functions(),
    x0=tensors(shapes=((), (2,))),
    steps=st.integers(2, 12),
    lr=learning_rates(),
    data=st.data(),
)
def test_minimises_any_convex_function(impl, compile_recorder, device, f, x0, steps, lr, data):
    other = data.draw(convex_functions(), label="a second function")
    for function in (f, other):
        grade(impl, compile_recorder, function, x0.to(device), steps=steps, lr=lr)
