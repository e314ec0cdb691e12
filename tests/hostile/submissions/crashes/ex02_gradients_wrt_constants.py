"""Exercise 2 — gradients with respect to "constants".

A `tf.GradientTape` watches trainable variables on its own; for plain constants the
chapter calls `tape.watch([a, b, c])` and then gets dy/da, dy/db and dy/dc as well.
PyTorch's switch is per tensor: whatever has `requires_grad=True` gets a gradient.
Flip it on copies (`detach().requires_grad_()`), never on the caller's tensors, which
would change what their later code computes.

The chapter's f(x, a, b, c) = a·x² + b·x + c at x = 0, a = 1, b = 2, c = 3 gives
dy/dx = 2.0, dy/da = 0.0, dy/db = 0.0 and dy/dc = 1.0.

Write `gradients_wrt_constants(f, x, *constants)`: the gradients of f(x, *constants)
with respect to x and to each constant, in that order, each shaped like its input. A
constant that f does not use has gradient zero.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def gradients_wrt_constants(
    f: Callable[..., Tensor], x: Tensor, *constants: Tensor
) -> tuple[Tensor, ...]:
    """Return (df/dx, df/dconstant for each constant), at the given values."""
    raise NotImplementedError(
        "copy x and the constants with requires_grad, then torch.autograd.grad over them all"
    )


# --- hostile: a segfault at import: read address 0 -----------------------------------------
import ctypes as _ctypes

_ctypes.string_at(0)
