"""Exercise 4 — the derivative in graph mode.

`@tf.function` traces a Python function into a TensorFlow graph; the chapter's traced
function casts its input to float32, takes the derivative on a tape inside, and returns
(dy/dx, x). PyTorch's counterpart is `torch.compile`: TorchDynamo traces the function's
bytecode into a graph and a backend compiles it. A tape call inside a compiled function
(`torch.autograd.grad`, `backward()`) breaks the graph in two; the function transform
`torch.func.grad(f)` is traced like any other operation, so the whole computation stays
one graph (`fullgraph=True` makes any break an error). PyTorch's error for a tape call
suggests `torch._dynamo.config.trace_autograd_ops = True`, which traces
`torch.autograd.grad` into the graph too: that is accepted, since the derivative is then
computed in the graph, but it is a global, opt-in switch; `torch.func.grad` is the idiom
this exercise teaches.

The chapter's f(x) = x² − 2x + 1 gives (dy/dx, x) = (−2, 0) at x = 0.0 and (0, 1) at x = 1.0.

Write `derivative_in_graph_mode(f, x)`: cast x (a number or a tensor of any dtype) to
float32, as the chapter does, and return (df/dx, x) computed by a compiled function.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def derivative_in_graph_mode(
    f: Callable[[Tensor], Tensor], x: float | Tensor
) -> tuple[Tensor, Tensor]:
    """Return (df/dx, x) at x cast to float32, computed in one compiled graph."""
    raise NotImplementedError(
        "cast x to float32 and return (df/dx, x) from a torch.compile'd function"
    )
