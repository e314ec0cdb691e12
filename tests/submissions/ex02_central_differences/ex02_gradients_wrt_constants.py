"""Wrong: central differences in float64 for x and every constant (numerical differentiation)."""

import torch


def gradients_wrt_constants(f, x, *constants):
    inputs = [t.detach().to(torch.float64) for t in (x, *constants)]
    h = 1e-6
    gradients = []
    for i, (value, original) in enumerate(zip(inputs, (x, *constants))):
        up, down = list(inputs), list(inputs)
        up[i], down[i] = value + h, value - h
        gradients.append(((f(*up) - f(*down)) / (2 * h)).to(original.dtype))
    return tuple(gradients)
