"""Wrong: returns the Parameter itself and a loss with a graph, not plain values."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    return x, f(x)
