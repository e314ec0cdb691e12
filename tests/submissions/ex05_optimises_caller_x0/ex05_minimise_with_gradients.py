"""Wrong: the optimiser is given a Parameter sharing the caller's x0, which it changes in place."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0)
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    with torch.no_grad():
        return x.detach().clone(), f(x)
