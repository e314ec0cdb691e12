"""Wrong: compiles the whole closure, backward() included, which breaks the graph."""

import torch


def minimise_with_closure_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)

    @torch.compile
    def closure():
        opt.zero_grad()
        loss = f(x)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
