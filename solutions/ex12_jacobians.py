"""Exercise 12 — Jacobians, of one input and of a batch.

TensorFlow's `tape.jacobian(y, x)` gives every output's gradient with respect to every
input; `tape.batch_jacobian(y, x)` gives, for a batch, each sample's outputs with respect
to that sample's inputs only. PyTorch's function transforms do both: `torch.func.jacrev(f)`
(reverse mode: one backward pass per output, batched by vmap) and `torch.func.jacfwd(f)`
(forward mode: one forward pass per input) return the same (m, n) Jacobian of an f from n
numbers to m. Reverse mode is cheaper when outputs are few (m < n, a wide Jacobian: a loss
and its parameters), forward mode when inputs are few (m > n, a tall one). For a batch
(b, n), the Jacobian of the whole is (b, m, b, n), zero wherever two samples meet;
`torch.func.vmap(torch.func.jacrev(f))` computes only the (b, m, n) that is not.

A worked example: f(x) = (M @ x)² elementwise, M = [[1, 2], [0, 1], [3, 0]], at x = [1, 1]:

    >>> M = torch.tensor([[1.0, 2.0], [0.0, 1.0], [3.0, 0.0]])
    >>> f = lambda x: (M @ x) ** 2
    >>> torch.func.jacrev(f)(torch.tensor([1.0, 1.0]))
    tensor([[ 6., 12.],
            [ 0.,  2.],
            [18.,  0.]])
    >>> torch.func.vmap(torch.func.jacrev(f))(torch.tensor([[1.0, 1.0], [0.0, 1.0]]))[1]
    tensor([[4., 8.],
            [0., 2.],
            [0., 0.]])

Write `jacobian(f, x)`, the (m, n) Jacobian of f at x (n,), and `batch_jacobian(f, xs)`,
the (b, m, n) Jacobians of f at each row of xs (b, n), f taking one sample (n,) to (m,).
Keep x's dtype and device; leave the caller's tensors alone.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def jacobian(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Return the Jacobian of f at x: one row per output, one column per input."""
    return torch.func.jacrev(f)(x)


def batch_jacobian(f: Callable[[Tensor], Tensor], xs: Tensor) -> Tensor:
    """Return each sample's Jacobian, (b, m, n), for xs of b samples of n numbers."""
    return torch.func.vmap(torch.func.jacrev(f))(xs)
