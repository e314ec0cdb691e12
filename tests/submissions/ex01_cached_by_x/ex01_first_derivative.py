"""Wrong: memoises the answer by the value of x, so another f at the same point gets the first f's derivative."""

import torch

_answers = {}


def first_derivative(f, x):
    key = (str(x.dtype), x.device.type, tuple(x.flatten().tolist()))
    if key not in _answers:
        copy = x.detach().requires_grad_()
        (_answers[key],) = torch.autograd.grad(f(copy), copy)
    return _answers[key].clone()
