"""Wrong: returns the caller's x as given (a Python number stays one) beside the derivative."""

import torch


@torch.compile(fullgraph=True)
def _derivative(f, x):
    return torch.func.grad(f)(x)


def derivative_in_graph_mode(f, x):
    return _derivative(f, torch.as_tensor(x, dtype=torch.float32)), x
