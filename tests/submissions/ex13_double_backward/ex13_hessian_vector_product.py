"""Correct: double backward, the gradient differentiated again, weighted by v."""

import torch


def hessian_vector_product(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hvp,) = torch.autograd.grad(g, x, grad_outputs=v, materialize_grads=True, allow_unused=True)
    return hvp
