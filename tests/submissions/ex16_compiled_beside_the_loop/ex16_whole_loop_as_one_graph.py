"""Wrong: a compiled function runs once, but the steps are taken in eager code beside it."""

import torch


def minimise_in_one_graph(f, x0, *, steps=1000, lr=0.01):
    start = torch.compile(lambda x: x.clone(), fullgraph=True)
    x = start(x0.detach())
    gradient = torch.func.grad(f)
    for _ in range(steps):
        x = x - lr * gradient(x)
    return x, f(x)
