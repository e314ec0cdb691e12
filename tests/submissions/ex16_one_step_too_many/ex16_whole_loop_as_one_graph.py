"""Wrong: the loop's condition i <= steps takes one step too many."""

import torch


def minimise_in_one_graph(f, x0, *, steps=1000, lr=0.01):
    gradient = torch.func.grad(f)

    def descend(x, steps, lr):
        def step(i, x):
            return i + 1, x - lr * gradient(x)

        _, x = torch.while_loop(lambda i, x: i <= steps, step, (torch.zeros_like(steps), x))
        return x, f(x)

    compiled = torch.compile(descend, fullgraph=True)
    return compiled(x0.detach().clone(), torch.tensor(steps), torch.tensor(lr, dtype=x0.dtype))
