"""Wrong: computes the gradient itself and calls opt.step() without a closure."""

import torch


def minimise_with_closure(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        f(x).backward()
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
