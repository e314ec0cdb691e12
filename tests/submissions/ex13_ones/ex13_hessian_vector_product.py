"""Wrong: the gradient's sum differentiated again, which is H times ones, v unused."""

import torch


def hessian_vector_product(f, x, v):
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x, create_graph=True)
    (hvp,) = torch.autograd.grad(g.sum(), x)
    return hvp
