"""Exercise 10 — stopping gradients.

TensorFlow's `tf.stop_gradient(t)` is t in the forward pass and a constant in the
backward pass. PyTorch's is `t.detach()`: the same values, cut from the graph. A value
computed under `torch.no_grad()` is cut the same way. Either keeps its part of the result
and gives it no part in the gradient: through y = f(x)·stop(g(x)), dy/dx = f'(x)·g(x), the
product rule without its f(x)·g'(x) term.

A worked example: f(x) = x², g(x) = x³ at x = 3:

    >>> x = torch.tensor(3.0, requires_grad=True)
    >>> y = x**2 * (x**3).detach()
    >>> y, torch.autograd.grad(y, x)[0]
    (tensor(243., grad_fn=<MulBackward0>), tensor(162.))

Without the stop, dy/dx would be 5x⁴ = 405.0.

Write `stopped_gradient(f, g, x)`: (y, dy/dx) for y = f(x)·g(x) with g's branch stopped,
for any f and g returning scalars, at any x; y a plain scalar tensor, dy/dx shaped like x,
both in x's dtype and on its device. Leave the caller's x alone.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def stopped_gradient(
    f: Callable[[Tensor], Tensor], g: Callable[[Tensor], Tensor], x: Tensor
) -> tuple[Tensor, Tensor]:
    """Return (y, dy/dx) for y = f(x) * g(x), no gradient flowing through g."""
    x = x.detach().requires_grad_()
    y = f(x) * g(x).detach()
    (dydx,) = torch.autograd.grad(y, x)
    return y.detach(), dydx
