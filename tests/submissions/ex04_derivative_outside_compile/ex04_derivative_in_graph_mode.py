"""Wrong: compiles only the cast; the derivative is computed in eager code."""

import torch


@torch.compile(fullgraph=True)
def _as_float32(x):
    return x.to(torch.float32)


def derivative_in_graph_mode(f, x):
    x = _as_float32(torch.as_tensor(x))
    return torch.func.grad(f)(x), x
