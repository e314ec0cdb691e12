"""Wrong: a forward pass for each gradient, so f runs twice."""

import torch


def two_gradients(f, g, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    (dzdx,) = torch.autograd.grad(g(f(x)), x)
    return dydx, dzdx
