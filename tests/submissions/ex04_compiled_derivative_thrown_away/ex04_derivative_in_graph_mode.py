"""Wrong: the compiled derivative is computed and thrown away; an eager one is returned."""

import torch


@torch.compile(fullgraph=True)
def _derivative_and_input(f, x):
    return torch.func.grad(f)(x), x


def derivative_in_graph_mode(f, x):
    x = torch.as_tensor(x, dtype=torch.float32)
    _derivative_and_input(f, x)
    return torch.func.grad(f)(x), x
