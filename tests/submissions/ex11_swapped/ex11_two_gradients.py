"""Wrong: the two gradients returned in the other order."""

import torch


def two_gradients(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x)
    z = g(y)
    (dydx,) = torch.autograd.grad(y, x, retain_graph=True)
    (dzdx,) = torch.autograd.grad(z, x)
    return dzdx, dydx
