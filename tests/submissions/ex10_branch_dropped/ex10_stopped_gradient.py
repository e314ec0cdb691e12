"""Wrong: the stopped branch treated as zero in the backward pass: dy/dx = f'(x)."""

import torch


def stopped_gradient(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x)
    (dydx,) = torch.autograd.grad(y, x)
    return (y * g(x)).detach(), dydx
