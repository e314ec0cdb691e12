"""Wrong: memoises the answer by the value of x, so another f at the same point gets the first f's answer."""

import torch

_answers = {}


def second_derivative(f, x):
    key = (str(x.dtype), x.device.type, x.item())
    if key not in _answers:
        _answers[key] = torch.func.grad(torch.func.grad(f))(x.detach())
    return _answers[key].clone()
