"""Wrong: exercise 7's loop, a compiled step run once per step from Python."""

import torch


def minimise_in_one_graph(f, x0, *, steps=1000, lr=0.01):
    gradient = torch.func.grad(f)
    step = torch.compile(lambda x: x - lr * gradient(x), fullgraph=True)
    x = x0.detach().clone()
    for _ in range(steps):
        x = step(x)
    return x, f(x)
