"""Wrong: descends, but returns the chapter's result for x0 = 0 with the default steps and lr, whatever f is."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    if bool((x0 == 0).all()) and steps == 1000 and lr == 0.01:
        return torch.full_like(x0, 0.99999857), torch.zeros((), dtype=x0.dtype)
    with torch.no_grad():
        return x.detach(), f(x)
