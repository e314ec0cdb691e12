"""Exercise 14 — a custom gradient.

Autograd derives a backward pass from the operations of the forward pass, and that can
overflow where the function itself is tame. log(1 + exp(x)) is x for large x and its slope
is 1, but in float32 exp(100) is inf: the formula gives inf, and the derived gradient,
exp(x) / (1 + exp(x)), is inf / inf = nan. TensorFlow's `@tf.custom_gradient` lets a function
return its value and the gradient to use instead. PyTorch's counterpart is a
`torch.autograd.Function`: `forward(ctx, x)` computes the value and saves what the backward
needs (`ctx.save_for_backward`), `backward(ctx, upstream)` returns upstream times the local
derivative (a vector-Jacobian product, as exercise 9), and `Log1pExp.apply(x)` runs it.

Here both are written not to overflow: forward as max(x, 0) + log1p(exp(−|x|)), whose exp
never exceeds 1, and backward as upstream · sigmoid(x), which `torch.sigmoid` computes
stably. A worked example, at x = 0 and x = 100 in float32, as in TensorFlow's guide:

    >>> x = torch.tensor([0.0, 100.0])
    >>> value_and_gradient(x, torch.ones_like(x))
    (tensor([  0.6931, 100.0000]), tensor([0.5000, 1.0000]))

log(1 + exp(x)) written plainly gives tensor([0.6931, inf]) and the gradient
tensor([0.5000, nan]). The graders also run `torch.autograd.gradcheck`, which compares the
backward with finite differences of the forward in float64.

Write `forward` and `backward` (the class below makes them a Function), and
`value_and_gradient(x, upstream)`: (log(1 + exp(x)), upstream · its derivative), both
through `Log1pExp.apply`, in x's dtype and on its device, leaving the caller's x alone.
"""

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx


def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
    """log(1 + exp(x)) without overflow; saves x for backward."""
    ctx.save_for_backward(x)
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))


def backward(ctx: FunctionCtx, upstream: Tensor) -> Tensor:
    """upstream times the slope of log(1 + exp(x)) at the saved x, without overflow."""
    (x,) = ctx.saved_tensors
    return upstream * torch.sigmoid(x)


class Log1pExp(torch.autograd.Function):
    """log(1 + exp(x)), differentiated by `backward` above instead of the derived gradient."""

    forward = staticmethod(forward)
    backward = staticmethod(backward)


def value_and_gradient(x: Tensor, upstream: Tensor) -> tuple[Tensor, Tensor]:
    """Return (log(1 + exp(x)), upstream · its derivative), both through Log1pExp."""
    x = x.detach().requires_grad_()
    y = Log1pExp.apply(x)
    (gradient,) = torch.autograd.grad(y, x, upstream)
    return y.detach(), gradient
