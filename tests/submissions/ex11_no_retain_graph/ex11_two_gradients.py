"""Wrong: the first backward pass frees the graph the second needs."""

import torch


def two_gradients(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x)
    z = g(y)
    (dydx,) = torch.autograd.grad(y, x)
    (dzdx,) = torch.autograd.grad(z, x)
    return dydx, dzdx
