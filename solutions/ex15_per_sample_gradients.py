"""Exercise 15 — per-sample gradients.

The gradient of a batch's loss is one tensor, the sum (or mean) of every sample's gradient.
Differential privacy clips each sample's gradient, and some optimisers and diagnostics weigh
them; they need all b of them. A Python loop takes b backward passes. TensorFlow vectorises
the loop with `tf.vectorized_map` over a tape (or takes `tape.jacobian` of the vector of
per-sample losses). PyTorch's function transforms do it in one batched pass:
`torch.func.grad(loss)` is the gradient of one sample's loss with respect to w, and
`torch.func.vmap(..., in_dims=(None, 0))` maps it over the samples, sharing w.

A worked example: loss(w, x) = (w·x)², whose gradient is 2(w·x)·x, at w = [1, 2]:

    >>> loss = lambda w, x: (w @ x) ** 2
    >>> w, xs = torch.tensor([1.0, 2.0]), torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0))(w, xs)
    tensor([[2., 0.],
            [0., 4.],
            [6., 6.]])

The batch loss's gradient is their sum, tensor([ 8., 10.]); the per-sample gradients are
the same values a Python loop over samples gives, many times faster (see the README's
benchmarks).

Write `per_sample_gradients(loss, w, xs)`: for loss(w, x) of a parameter w and one sample
x, the gradient with respect to w at each sample of xs (b, ...), shaped (b, *w.shape), in
w's dtype and on its device, leaving the caller's tensors alone.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def per_sample_gradients(loss: Callable[[Tensor, Tensor], Tensor], w: Tensor, xs: Tensor) -> Tensor:
    """Return each sample's gradient of loss with respect to w, shaped (b, *w.shape)."""
    return torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0))(w.detach(), xs.detach())
