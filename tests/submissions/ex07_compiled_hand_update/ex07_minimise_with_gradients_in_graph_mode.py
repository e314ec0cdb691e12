"""Wrong: a compiled hand-written update (x - lr * g) instead of torch.optim.SGD."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    @torch.compile(fullgraph=True)
    def step(x):
        return x - lr * torch.func.grad(f)(x)

    x = x0.detach().clone()
    for _ in range(steps):
        x = step(x)
    return x, f(x)
