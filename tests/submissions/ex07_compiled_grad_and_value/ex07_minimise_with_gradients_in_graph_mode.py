"""Correct: torch.func.grad_and_value compiled, its gradient fed to SGD, its value unused."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = x0.detach().clone().requires_grad_()
    opt = torch.optim.SGD([x], lr=lr)
    grad_and_loss = torch.compile(torch.func.grad_and_value(f))
    for _ in range(steps):
        gradient, _ = grad_and_loss(x.detach())
        x.grad = gradient
        opt.step()
    return x.detach(), f(x).detach()
