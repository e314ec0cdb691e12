"""Right: the loss from torch.compile(f), its backward() fills x.grad (the compiled backward graph)."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    compiled_f = torch.compile(f, fullgraph=True)
    for _ in range(steps):
        opt.zero_grad()
        compiled_f(x).backward()
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
