"""Right: torch.autograd.grad traced into one graph with torch._dynamo.config.trace_autograd_ops, as PyTorch's error suggests."""

import torch
import torch._dynamo

torch._dynamo.config.trace_autograd_ops = True


@torch.compile(fullgraph=True)
def _derivative_and_input(f, x):
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx, x.detach()


def derivative_in_graph_mode(f, x):
    return _derivative_and_input(f, torch.as_tensor(x, dtype=torch.float32))
