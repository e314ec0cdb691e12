"""Wrong: calls requires_grad_() on the caller's x instead of on a copy."""

import torch


def first_derivative(f, x):
    x.requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
