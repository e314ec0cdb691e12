"""Correct: torch.autograd.functional.hessian, at a scalar x the second derivative itself."""

import torch


def second_derivative(f, x):
    return torch.autograd.functional.hessian(f, x.detach())
