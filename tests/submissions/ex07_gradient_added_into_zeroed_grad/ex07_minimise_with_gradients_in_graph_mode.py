"""Right: zero_grad(set_to_none=False), then the compiled gradient added into x.grad in place."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    x.grad = torch.zeros_like(x)
    opt = torch.optim.SGD([x], lr=lr)
    gradient = torch.compile(torch.func.grad(f), fullgraph=True)
    for _ in range(steps):
        opt.zero_grad(set_to_none=False)
        x.grad.add_(gradient(x.detach()))
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
