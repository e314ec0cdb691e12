"""Wrong: returns the chapter's (2, 0, 0, 1), zeros for any other constant, whatever f is."""

import torch


def gradients_wrt_constants(f, x, *constants):
    values = (2.0, 0.0, 0.0, 1.0) + (0.0,) * len(constants)
    return tuple(torch.full_like(t, v) for t, v in zip((x, *constants), values))
