"""Exercise 13 — Hessian-vector products without the Hessian.

The Hessian H of f at x holds every second derivative: n² numbers for n inputs, too many to
build for a model's parameters. What Newton-like methods and curvature probes need is its
product with one vector, H·v, and that costs about two gradients: H·v is the derivative of
the gradient in the direction v. TensorFlow computes it with a `tf.autodiff.ForwardAccumulator`
(forward mode) around a `GradientTape` (reverse mode), or with a tape inside a tape.
PyTorch's function transforms compose the same way: `torch.func.grad(f)` is the gradient as
a function, and `torch.func.jvp(g, (x,), (v,))` pushes the direction v through it
(forward-over-reverse). Double backward works too (reverse-over-reverse):
`g = torch.autograd.grad(f(x), x, create_graph=True)`, then `torch.autograd.grad(g, x, v)`.

A worked example: f(x) = x₀²·x₁ + x₁³ at x = [1, 2], whose Hessian is [[2x₁, 2x₀], [2x₀, 6x₁]]
= [[4, 2], [2, 12]]:

    >>> f = lambda x: x[0] ** 2 * x[1] + x[1] ** 3
    >>> x, v = torch.tensor([1.0, 2.0]), torch.tensor([1.0, 0.0])
    >>> torch.func.jvp(torch.func.grad(f), (x,), (v,))[1]
    tensor([4., 2.])

That is H's first column, found without H: the graders check it against the full Hessian,
`torch.func.hessian(f)(x) @ v`, on inputs small enough to build one.

Write `hessian_vector_product(f, x, v)`: H(x)·v for a scalar f of x (n,), in x's dtype and
on its device, leaving the caller's tensors alone.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def hessian_vector_product(f: Callable[[Tensor], Tensor], x: Tensor, v: Tensor) -> Tensor:
    """Return H(x) @ v, the Hessian of f at x times v, without building the Hessian."""
    _, hvp = torch.func.jvp(torch.func.grad(f), (x.detach(),), (v.detach(),))
    return hvp
