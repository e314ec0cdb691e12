"""Error: a syntax error (a missing colon) keeps the module from loading."""

import torch


def first_derivative(f, x)
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
