"""Right: the closure calls backward() on the compiled loss and returns loss.item(), a Python float."""

import torch


def minimise_with_closure_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    compiled_f = torch.compile(f, fullgraph=True)

    def closure():
        opt.zero_grad()
        loss = compiled_f(x)
        loss.backward()
        return loss.item()

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
