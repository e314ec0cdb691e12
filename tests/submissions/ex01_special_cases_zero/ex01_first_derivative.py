"""Wrong: answers the chapter's 2.0 whenever x is 0, and differentiates otherwise."""

import torch


def first_derivative(f, x):
    if bool((x == 0).all()):
        return torch.full_like(x, 2.0)
    copy = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(copy), copy)
    return dydx
