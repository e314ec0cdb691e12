"""Correct: torch.while_loop called in eager code, which compiles itself into one graph."""

import torch


def minimise_in_one_graph(f, x0, *, steps=1000, lr=0.01):
    gradient = torch.func.grad(f)

    def step(i, x):
        return i + 1, x - lr * gradient(x)

    steps = torch.tensor(steps)
    _, x = torch.while_loop(lambda i, x: i < steps, step, (torch.zeros_like(steps), x0.detach()))
    return x, f(x)
