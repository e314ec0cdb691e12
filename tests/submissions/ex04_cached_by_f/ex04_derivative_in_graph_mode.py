"""Wrong: memoises the compiled derivative's result by f, so the same f at another x gets the first x's answer."""

import torch

_answers = {}


@torch.compile(fullgraph=True)
def _derivative(f, x):
    return torch.func.grad(f)(x)


def derivative_in_graph_mode(f, x):
    x = torch.as_tensor(x, dtype=torch.float32)
    if f not in _answers:
        _answers[f] = _derivative(f, x)
    return _answers[f], x
