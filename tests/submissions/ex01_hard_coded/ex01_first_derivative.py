"""Wrong: returns the chapter's dy/dx = 2.0 whatever f and x are."""

import torch


def first_derivative(f, x):
    return torch.full_like(x, 2.0)
