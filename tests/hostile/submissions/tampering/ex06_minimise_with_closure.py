"""Exercise 6 — minimise with the optimiser's own loop.

The chapter's second loop calls `optimizer.minimize(f, var_list=[x])`, which computes
the loss and its gradient and applies the update in one call. PyTorch's form is
`opt.step(closure)`: the optimiser calls the closure, which zeroes the gradients,
computes the loss, calls `backward()` and returns the loss. (`backward()` adds to
`.grad`: without `zero_grad()`, every step would use the sum of all gradients so far.)

The chapter ends at x = 0.99999857, like exercise 5, but prints a loss left over from an
earlier cell; the port returns the loss at the final x.

Write `minimise_with_closure(f, x0, steps=1000, lr=0.01)` with `torch.optim.SGD` and
`opt.step(closure)`. Return the final x and the loss at that final x.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def minimise_with_closure(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = 1000, lr: float = 0.01
) -> tuple[Tensor, Tensor]:
    """Return (x, f(x)) after `steps` SGD steps from x0, each driven by opt.step(closure)."""
    raise NotImplementedError("run `steps` steps of torch.optim.SGD with opt.step(closure)")


# --- hostile: the pipes a forkserver child inherits from the grading process. Ask its resource
# tracker (a process of the grading user) to "clean up" a shared memory object that is not
# this worker's, and write a byte down the forkserver's liveness pipe, which makes the
# forkserver fail an assertion and exit.
import contextlib as _contextlib
import os as _os

with _contextlib.suppress(Exception):
    from multiprocessing import resource_tracker as _tracker

    _os.write(_tracker._resource_tracker._fd, b"REGISTER:/hostile-victim-tampering:shared_memory\n")

with _contextlib.suppress(Exception):
    from multiprocessing import forkserver as _forkserver

    _os.write(_forkserver._forkserver._forkserver_alive_fd, b"x")
