"""Correct: torch.autograd.functional.hvp, two backward passes and no Hessian."""

import torch


def hessian_vector_product(f, x, v):
    return torch.autograd.functional.hvp(f, x.detach(), v.detach())[1]
