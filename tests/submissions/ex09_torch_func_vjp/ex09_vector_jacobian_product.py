"""Correct: torch.func.vjp, the pullback applied to v."""

import torch


def vector_jacobian_product(f, x, v):
    _, pullback = torch.func.vjp(f, x)
    (product,) = pullback(v)
    return product
