"""Wrong: casts only non-float inputs, so a float64 x stays float64."""

import torch


@torch.compile(fullgraph=True)
def _derivative_and_input(f, x):
    return torch.func.grad(f)(x), x


def derivative_in_graph_mode(f, x):
    x = torch.as_tensor(x)
    if not x.is_floating_point():
        x = x.to(torch.float32)
    return _derivative_and_input(f, x)
