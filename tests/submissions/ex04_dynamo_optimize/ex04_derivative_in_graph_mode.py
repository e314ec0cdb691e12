"""Right: TorchDynamo's private entry point, torch._dynamo.optimize("inductor", nopython=True), graded as torch.compile."""

import torch
import torch._dynamo


@torch._dynamo.optimize("inductor", nopython=True)
def _derivative_and_input(f, x):
    return torch.func.grad(f)(x), x


def derivative_in_graph_mode(f, x):
    return _derivative_and_input(f, torch.as_tensor(x, dtype=torch.float32))
