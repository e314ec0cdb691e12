"""Wrong: updates x by hand (x -= lr * g under no_grad) instead of with torch.optim.SGD."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = x0.detach().clone().requires_grad_()
    for _ in range(steps):
        (g,) = torch.autograd.grad(f(x), x)
        with torch.no_grad():
            x -= lr * g
    with torch.no_grad():
        return x.detach(), f(x)
