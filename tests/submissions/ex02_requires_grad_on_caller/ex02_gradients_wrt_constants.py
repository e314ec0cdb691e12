"""Wrong: calls requires_grad_() on the caller's constants instead of on copies."""

import torch


def gradients_wrt_constants(f, x, *constants):
    x = x.detach().requires_grad_()
    for c in constants:
        c.requires_grad_()
    return torch.autograd.grad(f(x, *constants), [x, *constants], materialize_grads=True)
