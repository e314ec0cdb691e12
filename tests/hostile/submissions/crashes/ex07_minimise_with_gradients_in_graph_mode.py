"""Exercise 7 — exercise 5 in graph mode.

The chapter wraps the whole 1000-step loop in `@tf.function`, over a `tf.range`.
`torch.compile` would unroll a Python loop into one huge graph (1000 steps take minutes
to compile), so compile the step's work instead. `opt.step()` breaks a compiled graph
on purpose (the optimiser's update must run outside autograd), so what is compiled is
the gradient: `torch.compile(torch.func.grad(f), fullgraph=True)`, called each step, its
result handed to the optimiser as in exercise 5.

The chapter ends at x = 0.99999857; compiled and eager code may differ by an ulp.

Write `minimise_with_gradients_in_graph_mode(f, x0, steps=1000, lr=0.01)`: the gradient
computed by a compiled function, the update by `torch.optim.SGD`. Return the final x and
the loss at that final x.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def minimise_with_gradients_in_graph_mode(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = 1000, lr: float = 0.01
) -> tuple[Tensor, Tensor]:
    """Return (x, f(x)) after `steps` SGD steps from x0, each gradient from a compiled graph."""
    raise NotImplementedError(
        "as exercise 5, with the gradient from a torch.compile'd torch.func.grad(f)"
    )
