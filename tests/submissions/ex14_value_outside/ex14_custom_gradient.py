"""Wrong method: the gradient through Log1pExp, the value from torch's softplus."""

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx


def forward(ctx: FunctionCtx, x: Tensor) -> Tensor:
    """log(1 + exp(x)) without overflow; saves x for backward."""
    ctx.save_for_backward(x)
    return torch.nn.functional.softplus(x)


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
    return torch.nn.functional.softplus(x.detach()), gradient
