"""Wrong: x updated by hand; the optimiser steps a dummy parameter whose gradient is zero."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = x0.detach().clone().requires_grad_()
    dummy = torch.nn.Parameter(torch.zeros((), dtype=x0.dtype, device=x0.device))
    opt = torch.optim.SGD([dummy], lr=lr)
    for _ in range(steps):
        (g,) = torch.autograd.grad(f(x), x)
        with torch.no_grad():
            x -= lr * g
        dummy.grad = torch.zeros_like(dummy)
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
