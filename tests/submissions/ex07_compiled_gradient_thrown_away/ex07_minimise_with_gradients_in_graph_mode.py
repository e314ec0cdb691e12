"""Wrong: the compiled gradient is computed and thrown away; x.grad comes from eager autograd."""

import torch


def minimise_with_gradients_in_graph_mode(f, x0, *, steps=1000, lr=0.01):
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    gradient = torch.compile(torch.func.grad(f), fullgraph=True)
    for _ in range(steps):
        gradient(x.detach())
        (x.grad,) = torch.autograd.grad(f(x), x)
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)
