"""Correct: backward(retain_graph=True), the gradient read and zeroed, then backward again."""

import torch


def two_gradients(f, g, x):
    x = x.detach().requires_grad_()
    y = f(x)
    z = g(y)
    y.backward(retain_graph=True)
    dydx = x.grad.clone()
    x.grad = None
    z.backward()
    return dydx, x.grad
