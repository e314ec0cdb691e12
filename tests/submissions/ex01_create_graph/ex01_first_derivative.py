"""Wrong: create_graph=True, so the returned derivative still requires grad."""

import torch


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x, create_graph=True)
    return dydx
