"""Right: torch.compile(f) without fullgraph, called in the closure; backward() outside it."""

import torch


def minimise_with_closure_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = x0.detach().clone().requires_grad_()
    opt = torch.optim.SGD([x], lr=lr)
    compiled_f = torch.compile(f)

    def closure():
        opt.zero_grad()
        loss = compiled_f(x)
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
