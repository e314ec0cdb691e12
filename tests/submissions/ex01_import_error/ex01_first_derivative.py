"""Error: imports a module that does not exist."""

import torch
from tensorflow_gradient_tape import GradientTape  # noqa: F401


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
