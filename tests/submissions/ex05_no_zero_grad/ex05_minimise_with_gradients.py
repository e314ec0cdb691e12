"""Wrong: loss.backward() every step without opt.zero_grad(), so gradients accumulate."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        f(x).backward()
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
