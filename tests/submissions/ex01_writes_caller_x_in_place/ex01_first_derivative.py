"""Wrong: clamps the caller's x in place (its values stay, its version counter moves) before differentiating a copy."""

import torch


def first_derivative(f, x):
    x.detach().clamp_(-10.0, 10.0)
    copy = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(copy), copy)
    return dydx
