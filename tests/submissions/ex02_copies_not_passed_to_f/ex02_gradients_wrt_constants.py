"""Wrong: makes copies that require grad but calls f on the caller's tensors."""

import torch


def gradients_wrt_constants(f, x, *constants):
    inputs = [t.detach().requires_grad_() for t in (x, *constants)]
    return torch.autograd.grad(f(x, *constants), inputs, materialize_grads=True)
