"""Wrong: casts the result to float32 (.float()), so float64 inputs lose precision."""

import torch


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx.float()
