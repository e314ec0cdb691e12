"""Wrong: memoises the gradients by the inputs' values, so another f at the same values gets the first f's gradients."""

import torch

_answers = {}


def gradients_wrt_constants(f, x, *constants):
    key = tuple((str(t.dtype), t.device.type, t.item()) for t in (x, *constants))
    if key not in _answers:
        inputs = [t.detach().requires_grad_() for t in (x, *constants)]
        _answers[key] = torch.autograd.grad(f(*inputs), inputs, materialize_grads=True)
    return tuple(g.clone() for g in _answers[key])
