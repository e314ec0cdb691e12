"""Wrong: f called on the caller's tensors; the copies' gradients come out zero (allow_unused, materialize_grads)."""

import torch


def gradients_wrt_constants(f, x, *constants):
    inputs = [t.detach().requires_grad_() for t in (x, *constants)]
    y = f(x, *constants) + 0 * sum(t.sum() for t in inputs).detach()
    y = y + sum(0 * t.sum() for t in inputs)
    return torch.autograd.grad(y, inputs, materialize_grads=True)
