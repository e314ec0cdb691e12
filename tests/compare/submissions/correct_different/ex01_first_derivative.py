"""A correct answer by another road: torch.func.grad, a function transform."""

import torch


def first_derivative(f, x):
    return torch.func.grad(f)(x.detach())
