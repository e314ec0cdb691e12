"""Wrong: the chapter's lr=0.01 hard-coded instead of the lr argument."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=0.01)
    for _ in range(steps):
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
