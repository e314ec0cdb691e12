"""Wrong: memoises the answer by f, so the same f at another point gets the first point's derivative."""

import torch

_answers = {}


def first_derivative(f, x):
    key = (f, x.dtype, x.shape)
    if key not in _answers:
        copy = x.detach().requires_grad_()
        (_answers[key],) = torch.autograd.grad(f(copy), copy)
    return _answers[key].clone()
