"""Wrong: descends on a float32 copy of x0 and returns the result cast back to x0's float64."""

import torch


def minimise_with_gradients(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone().float())
    opt = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    with torch.no_grad():
        return x.detach().to(x0.dtype), f(x).to(x0.dtype)
