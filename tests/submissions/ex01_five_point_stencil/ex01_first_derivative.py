"""Wrong: a five-point stencil in float64, numerical differentiation accurate to about 1e-12."""

import torch


def first_derivative(f, x):
    x64 = x.detach().to(torch.float64)
    h = 1e-3
    slopes = torch.empty_like(x64).flatten()
    for i in range(x64.numel()):
        e = torch.zeros_like(slopes)
        e[i] = h
        e = e.reshape(x64.shape)
        slopes[i] = (-f(x64 + 2 * e) + 8 * f(x64 + e) - 8 * f(x64 - e) + f(x64 - 2 * e)) / (12 * h)
    return slopes.reshape(x.shape).to(x.dtype)
