"""Wrong: returns the chapter's d2y/dx2 = 2.0 whatever f and x are."""

import torch


def second_derivative(f, x):
    return torch.full_like(x, 2.0)
