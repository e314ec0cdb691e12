"""Exercise 16 — the whole loop as one graph.

Exercise 7 compiled the step: each of the 1000 steps leaves the graph, and eager Python
runs the loop and the optimiser around it. TensorFlow's `@tf.function` over a `tf.range`
loop turns the loop itself into a graph (a `tf.while_loop`). PyTorch's counterpart is
`torch.while_loop(cond, body, carried)` inside `torch.compile(..., fullgraph=True)`: the
loop, every gradient and every update are one graph, run by one call. Its body must be
purely functional, tensors in and tensors out: no `opt.step()`, no in-place update, no
Python number read out of a tensor. So the update is SGD's own arithmetic,
`x - lr * torch.func.grad(f)(x)`, and the step count and the learning rate are carried as
tensors, so that another count or rate does not compile the function again.

A worked example, the chapter's f(x) = x² − 2x + 1 from x₀ = 0, 1000 steps with lr 0.01:

    >>> x, loss = minimise_in_one_graph(f, torch.tensor(0.0))
    >>> x.item(), loss.item()
    (0.9999985694885254, 0.0)

That is TensorFlow's value (the update `x - lr * g` rounds as TensorFlow's
does; `torch.optim.SGD` ends one ulp lower). Compiling the loop costs seconds once; after
that, 1000 updates run in one call instead of 1000 (see the README's benchmarks).

Write `minimise_in_one_graph(f, x0, steps=1000, lr=0.01)`: the descent as one compiled
`torch.while_loop`, in x0's dtype and on its device, leaving x0 as it was. Return the
final x and the loss at that final x, both from the compiled graph.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def minimise_in_one_graph(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = 1000, lr: float = 0.01
) -> tuple[Tensor, Tensor]:
    """Return (x, f(x)) after `steps` SGD updates from x0, the whole loop one compiled graph."""
    raise NotImplementedError(
        "the whole descent as one torch.compile(fullgraph=True)'d torch.while_loop of x - lr * grad"
    )
