"""Wrong: returns (dy/dx, f(x)) instead of (dy/dx, x)."""

import torch


@torch.compile(fullgraph=True)
def _derivative_and_value(f, x):
    return torch.func.grad(f)(x), f(x)


def derivative_in_graph_mode(f, x):
    return _derivative_and_value(f, torch.as_tensor(x, dtype=torch.float32))
