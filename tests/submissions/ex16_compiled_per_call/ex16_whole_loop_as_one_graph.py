"""Correct: the descent compiled afresh in each call, f and lr held by its closure."""

import torch


def minimise_in_one_graph(f, x0, *, steps=1000, lr=0.01):
    gradient = torch.func.grad(f)

    def descend(x, steps):
        def step(i, x):
            return i + 1, x - lr * gradient(x)

        _, x = torch.while_loop(lambda i, x: i < steps, step, (torch.zeros_like(steps), x))
        return x, f(x)

    return torch.compile(descend, fullgraph=True)(x0.detach().clone(), torch.tensor(steps))
