"""Wrong: returns the chapter's result (x = 0.99999857, loss = 0) whatever f and x0 are."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.full_like(x0, 0.99999857).detach()
    return x, torch.zeros((), dtype=x0.dtype, device=x0.device)
