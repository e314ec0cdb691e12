"""Right: turns grad mode off at import, and back on where it differentiates."""

import torch

torch.set_grad_enabled(False)


def first_derivative(f, x):
    with torch.enable_grad():
        copy = x.detach().requires_grad_()
        (dydx,) = torch.autograd.grad(f(copy), copy)
    return dydx
