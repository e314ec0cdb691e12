"""Wrong: differentiates x without making it require grad, so autograd raises."""

import torch


def first_derivative(f, x):
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
