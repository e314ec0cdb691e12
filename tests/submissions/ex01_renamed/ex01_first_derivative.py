"""Error: the function is renamed, so the grader finds no first_derivative()."""

import torch


def derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
