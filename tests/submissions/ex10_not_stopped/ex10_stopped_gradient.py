"""Wrong: g's branch is not stopped, so the gradient is the product rule's."""

import torch


def stopped_gradient(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x) * g(x)
    (dydx,) = torch.autograd.grad(y, x)
    return y.detach(), dydx
