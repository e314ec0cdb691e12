"""Exercise 11 — two gradients from one forward pass.

A TensorFlow tape forgets its record once `tape.gradient` has used it; to ask it twice,
open it with `tf.GradientTape(persistent=True)`. PyTorch's graph is freed the same way:
a backward pass releases what the forward pass saved for it, so a second backward through
the same part raises "Trying to backward through the graph a second time". Pass
`retain_graph=True` to every backward pass but the last. Running the forward pass again
instead costs a second forward pass, and one with randomness in it (dropout) would not even
give the same values.

A worked example: y = x², z = y² at x = 3, one forward pass, two gradients:

    >>> x = torch.tensor(3.0, requires_grad=True)
    >>> y = x**2
    >>> z = y**2
    >>> torch.autograd.grad(y, x, retain_graph=True)[0], torch.autograd.grad(z, x)[0]
    (tensor(6.), tensor(108.))

Write `two_gradients(f, g, x)`: (dy/dx, dz/dx) for y = f(x) and z = g(y), calling f once,
for any f and g returning scalars, at any x, both shaped like x, in x's dtype and on its
device. Leave the caller's x alone.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def two_gradients(
    f: Callable[[Tensor], Tensor], g: Callable[[Tensor], Tensor], x: Tensor
) -> tuple[Tensor, Tensor]:
    """Return (dy/dx, dz/dx) for y = f(x), z = g(y), from one forward pass."""
    raise NotImplementedError(
        "y = f(x) and z = g(y) once; (dy/dx, dz/dx), the first backward with retain_graph=True"
    )
