"""A loop that never ends: gradient "descent" waiting for a step that never shrinks."""

import torch


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    step = torch.tensor(1.0)
    while step.abs() > 0:
        step = step * 1.0
    return torch.autograd.grad(f(x), x)[0]
