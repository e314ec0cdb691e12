"""Wrong: f's branch stopped instead of g's."""

import torch


def stopped_gradient(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x).detach() * g(x)
    (dydx,) = torch.autograd.grad(y, x)
    return y.detach(), dydx
