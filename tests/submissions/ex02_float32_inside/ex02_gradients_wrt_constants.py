"""Wrong: differentiates float32 copies and casts the gradients back to the inputs' dtype."""

import torch


def gradients_wrt_constants(f, x, *constants):
    inputs = [t.detach().float().requires_grad_() for t in (x, *constants)]
    gradients = torch.autograd.grad(f(*inputs), inputs, materialize_grads=True)
    return tuple(g.to(t.dtype) for g, t in zip(gradients, (x, *constants)))
