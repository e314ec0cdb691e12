"""Wrong: backward() twice into x.grad, not zeroed between the two."""

import torch


def two_gradients(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x)
    z = g(y)
    y.backward(retain_graph=True)
    dydx = x.grad.clone()
    z.backward()
    return dydx, x.grad
