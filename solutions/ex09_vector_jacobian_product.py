"""Exercise 9 — non-scalar targets: the vector-Jacobian product.

Ask TensorFlow's `tape.gradient(y, x)` for the gradient of a y with many elements and it
sums them first: it answers for y.sum(), unless `output_gradients=v` weighs them. PyTorch
does not guess: `y.backward()` and `torch.autograd.grad(y, x)` on a non-scalar y raise
"grad can be implicitly created only for scalar outputs". You pass the weights, one per
element of y, as `grad_outputs=v` (or `y.backward(gradient=v)`), and get vᵀ·J, where J is
the Jacobian ∂y/∂x: the product reverse mode computes in one backward pass, without J.

A worked example: y = x² elementwise at x = [1, 2, 3], with v = [1, 0.1, 0.01]:

    >>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> torch.autograd.grad(x**2, x, grad_outputs=torch.tensor([1.0, 0.1, 0.01]))[0]
    tensor([2.0000, 0.4000, 0.0600])

TensorFlow's sum is v of ones: [2.0, 4.0, 6.0].

Write `vector_jacobian_product(f, x, v)`: vᵀ·∂f/∂x for any f whose output has v's shape,
at any x, shaped like x, in x's dtype and on its device. Leave the caller's x alone:
differentiate a copy that requires grad.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def vector_jacobian_product(f: Callable[[Tensor], Tensor], x: Tensor, v: Tensor) -> Tensor:
    """Return vᵀ·J, J the Jacobian of f at x: the gradient of f(x) weighted by v."""
    x = x.detach().requires_grad_()
    (vjp,) = torch.autograd.grad(f(x), x, grad_outputs=v)
    return vjp
