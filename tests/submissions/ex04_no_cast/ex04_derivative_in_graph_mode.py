"""Wrong: no cast to float32 (torch.as_tensor(x) keeps an integer or float64 dtype)."""

import torch


@torch.compile(fullgraph=True)
def _derivative_and_input(f, x):
    return torch.func.grad(f)(x), x


def derivative_in_graph_mode(f, x):
    return _derivative_and_input(f, torch.as_tensor(x))
