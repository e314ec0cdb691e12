"""Correct: a Function in the setup_context style, its backward from the saved output."""

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx


class Log1pExp(torch.autograd.Function):
    """log(1 + exp(x)); the slope, sigmoid(x), is -expm1(-y) of the output y."""

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Tensor], output: Tensor) -> None:
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx: FunctionCtx, upstream: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return upstream * -torch.expm1(-y)


def value_and_gradient(x: Tensor, upstream: Tensor) -> tuple[Tensor, Tensor]:
    """Return (log(1 + exp(x)), upstream · its derivative), both through Log1pExp."""
    x = x.detach().requires_grad_()
    y = Log1pExp.apply(x)
    (gradient,) = torch.autograd.grad(y, x, upstream)
    return y.detach(), gradient
