"""Wrong: compiles the whole step, opt.step() included, which breaks the graph."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)

    @torch.compile
    def step():
        x.grad = torch.func.grad(f)(x.detach())
        opt.step()

    for _ in range(steps):
        step()
    with torch.no_grad():
        return x.detach(), f(x)
