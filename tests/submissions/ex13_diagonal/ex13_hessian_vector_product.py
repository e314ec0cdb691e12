"""Wrong: each input's own second derivative times v, the cross terms left out."""

import torch


def hessian_vector_product(f, x, v):
    return torch.func.hessian(f)(x).diagonal() * v
