"""Wrong: the descent run in float64 and cast back to x0's dtype."""

import torch


def minimise_in_one_graph(f, x0, *, steps=1000, lr=0.01):
    gradient = torch.func.grad(f)

    def descend(x, steps, lr):
        def step(i, x):
            return i + 1, x - lr * gradient(x)

        _, x = torch.while_loop(lambda i, x: i < steps, step, (torch.zeros_like(steps), x))
        return x, f(x)

    x = x0.detach().double()
    x, loss = torch.compile(descend, fullgraph=True)(x, torch.tensor(steps), torch.tensor(lr))
    return x.to(x0.dtype), loss.to(x0.dtype)
