"""Wrong: backward() runs through the compiled loss, but the closure returns f(x) computed in eager code."""

import torch


def minimise_with_closure_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    compiled_f = torch.compile(f, fullgraph=True)

    def closure():
        opt.zero_grad()
        compiled_f(x).backward()
        return f(x)

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
