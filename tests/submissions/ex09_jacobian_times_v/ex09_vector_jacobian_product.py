"""Wrong: J·v by forward mode, not vᵀ·J."""

import torch


def vector_jacobian_product(f, x, v):
    _, product = torch.func.jvp(f, (x,), (v,))
    return product
