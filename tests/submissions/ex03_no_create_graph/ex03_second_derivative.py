"""Wrong: the first torch.autograd.grad without create_graph=True, so its result cannot be differentiated again."""

import torch


def second_derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    (d2ydx2,) = torch.autograd.grad(dydx, x)
    return d2ydx2
