"""Wrong: differentiates dy/dx again without checking it has a grad_fn: a linear f raises."""

import torch


def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x, create_graph=True)
    (d2ydx2,) = torch.autograd.grad(dydx, x)
    return d2ydx2
