"""Wrong: the summed gradient, weighted elementwise by v afterwards."""

import torch


def vector_jacobian_product(f, x, v):
    x = x.detach().requires_grad_()
    (gradient,) = torch.autograd.grad(f(x).sum(), x)
    return gradient * v
