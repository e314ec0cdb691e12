"""Wrong: the gradient is taken in eager code and only passed through a compiled copy."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    copy = torch.compile(lambda g: g * 1.0, fullgraph=True)
    for _ in range(steps):
        x.grad = copy(torch.func.grad(f)(x.detach()))
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
