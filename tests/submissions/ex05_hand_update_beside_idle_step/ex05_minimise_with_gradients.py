"""Wrong: a hand-written update (x -= lr * g) beside an opt.step() that has no gradient to apply."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = x0.detach().clone().requires_grad_()
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        (g,) = torch.autograd.grad(f(x), x)
        with torch.no_grad():
            x -= lr * g
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
