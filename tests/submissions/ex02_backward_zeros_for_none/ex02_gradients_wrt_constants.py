"""Right: backward() on copies that all require grad; a .grad left None becomes zeros."""

import torch


def gradients_wrt_constants(f, x, *constants):
    inputs = [t.detach().clone().requires_grad_() for t in (x, *constants)]
    f(*inputs).backward()
    return tuple(t.grad if t.grad is not None else torch.zeros_like(t) for t in inputs)
