"""Wrong: returns a Python float (.item()) instead of a tensor."""

import torch


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx.item()
