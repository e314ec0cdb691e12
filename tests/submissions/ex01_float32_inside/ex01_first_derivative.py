"""Wrong: differentiates a float32 copy and returns the result cast back to the input's float64."""

import torch


def first_derivative(f, x):
    x32 = x.detach().float().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x32), x32)
    return dydx.to(x.dtype)
