"""Wrong: the gradient of f(x).sum(), as TensorFlow's tape gives for a non-scalar target."""

import torch


def vector_jacobian_product(f, x, v):
    x = x.detach().requires_grad_()
    (gradient,) = torch.autograd.grad(f(x).sum(), x)
    return gradient
