"""Wrong: the closure updates x by hand and leaves x.grad empty, so opt.step(closure) applies nothing."""

import torch


def minimise_with_closure(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)

    def closure():
        opt.zero_grad()
        loss = f(x)
        (g,) = torch.autograd.grad(loss, x)
        with torch.no_grad():
            x.sub_(lr * g)
        return loss

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
