"""Right: the compiled output reshaped, viewed, squeezed, detached and cloned before it is returned."""

import torch


@torch.compile(fullgraph=True)
def _derivative_and_input(f, x):
    return torch.func.grad(f)(x.reshape(1)), x


def derivative_in_graph_mode(f, x):
    dydx, x = _derivative_and_input(f, torch.as_tensor(x, dtype=torch.float32))
    dydx = dydx.view(1).squeeze().reshape(x.shape).detach().clone()
    return dydx, x.detach()
