"""Wrong: torch.autograd.grad inside a fullgraph=True compiled function, which TorchDynamo refuses."""

import torch


@torch.compile(fullgraph=True)
def _derivative_and_input(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx, x.detach()


def derivative_in_graph_mode(f, x):
    return _derivative_and_input(f, torch.as_tensor(x, dtype=torch.float32))
