"""Right: opt.zero_grad(), loss.backward(), opt.step() each step; the loss recomputed at the end."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = x0.detach().clone().requires_grad_()
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        f(x).backward()
        opt.step()
    with torch.no_grad():
        loss = f(x)
    return x.detach(), loss
