"""Right: the closure reshapes the compiled loss before backward() and returns it detached."""

import torch


def minimise_with_closure_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    loss_of = torch.compile(f, fullgraph=True)

    def closure():
        opt.zero_grad()
        loss = loss_of(x).reshape(())
        loss.backward()
        return loss.detach()

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)
