"""Wrong: the chapter's derivatives worked out by hand (2ax + b, x**2, x, 1), whatever f is."""

import torch


def gradients_wrt_constants(f, x, *constants):
    c = [*constants, *[torch.zeros_like(x)] * 3]
    by_hand = (2 * c[0] * x + c[1], x**2, x.clone(), torch.ones_like(x))
    return (*by_hand, *[torch.zeros_like(t) for t in constants[3:]])[: 1 + len(constants)]
