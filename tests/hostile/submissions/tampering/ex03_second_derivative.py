"""Exercise 3 — the second derivative.

The chapter nests one `tf.GradientTape` inside another: the inner tape differentiates
f, the outer one differentiates that derivative. In PyTorch, `torch.autograd.grad`
with `create_graph=True` records the backward pass itself, so its result can be
differentiated again. (`torch.func.grad(torch.func.grad(f))` says the same as a
function transform.)

The chapter's f(x) = x² + 2x + 3 at x = 0 gives d²y/dx² = 2.0.

Write `second_derivative(f, x)` for a scalar x and any twice-differentiable f,
linear ones included (their second derivative is zero).
"""

from collections.abc import Callable

import torch
from torch import Tensor


def second_derivative(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Return d²f/dx² at the scalar x."""
    raise NotImplementedError(
        "differentiate twice: torch.autograd.grad with create_graph=True, then again"
    )


# --- hostile: skip every test that calls it, with pytest's own skip exception --------------


def second_derivative(f, x):
    """Raises pytest's Skipped for every input, as if the test had chosen to skip."""
    import pytest

    pytest.skip("HOSTILE: nothing to grade here")
