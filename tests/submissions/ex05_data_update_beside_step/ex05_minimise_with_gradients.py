"""Wrong: the update written by hand through x.data (no version bump) beside an idle opt.step()."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        (g,) = torch.autograd.grad(f(x), x)
        x.data = x.data - lr * g
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
