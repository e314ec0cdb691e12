"""Wrong: loops steps - 1 times."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(1, steps):
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
