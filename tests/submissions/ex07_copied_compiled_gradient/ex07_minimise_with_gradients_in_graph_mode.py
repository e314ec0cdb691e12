"""Right: the compiled gradient cloned, reshaped and detached before it goes into x.grad."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    gradient = torch.compile(torch.func.grad(f), fullgraph=True)
    for _ in range(steps):
        x.grad = gradient(x.detach()).clone().reshape(x.shape).detach()
        opt.step()
    with torch.no_grad():
        return x.detach().clone(), f(x)
