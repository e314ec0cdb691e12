"""Wrong: requires_grad_() on the caller's x."""

import torch


def vector_jacobian_product(f, x, v):
    x.requires_grad_()
    (product,) = torch.autograd.grad(f(x), x, grad_outputs=v)
    return product
