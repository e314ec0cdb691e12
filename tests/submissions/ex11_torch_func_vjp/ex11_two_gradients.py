"""Correct: one forward pass through torch.func.vjp, its pullback asked twice."""

import torch


def two_gradients(f, g, x):
    def forward(t):
        y = f(t)
        return y, g(y)

    (y, z), pullback = torch.func.vjp(forward, x)
    (dydx,) = pullback((torch.ones_like(y), torch.zeros_like(z)))
    (dzdx,) = pullback((torch.zeros_like(y), torch.ones_like(z)))
    return dydx, dzdx
