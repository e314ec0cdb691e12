"""Right: a closure that assigns x.grad from torch.autograd.grad (no zero_grad needed)."""

import torch


def minimise_with_closure(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)

    def closure():
        loss = f(x)
        (x.grad,) = torch.autograd.grad(loss, x)
        return loss

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
