"""Exercise 5 — minimise with explicitly computed gradients.

The chapter runs 1000 steps of `SGD(learning_rate=0.01)`: each step takes the gradient
on a tape and hands it to `optimizer.apply_gradients`. In PyTorch an optimiser updates
the tensors it was given, in place, from their `.grad`: compute the gradient, store it
in `x.grad`, call `opt.step()`.

The chapter minimises f(x) = x² − 2x + 1 from x = 0 and ends at x = 0.99999857, y = 0.0.
Exact arithmetic would give 1 − 0.98¹⁰⁰⁰; in float32 the update stalls once lr·|g| is
below half an ulp of x, and `torch.optim.SGD` stops one ulp lower than TensorFlow's
hand-rolled `x -= lr * g`, at 0.99999851.

Write `minimise_with_gradients(f, x0, steps=1000, lr=0.01)` with `torch.optim.SGD`,
leaving the caller's x0 as it was. Return the final x and the loss at that final x.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def minimise_with_gradients(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = 1000, lr: float = 0.01
) -> tuple[Tensor, Tensor]:
    """Return (x, f(x)) after `steps` SGD steps from x0, each fed an explicit gradient."""
    raise NotImplementedError(
        "run `steps` steps of torch.optim.SGD, each fed a gradient from torch.autograd.grad"
    )


# --- hostile: an exception of its own that derives from BaseException, not Exception, at
# import: `except Exception` lets it through.


class HostileEscape(BaseException):
    pass


raise HostileEscape("not an Exception: past every `except Exception`")
