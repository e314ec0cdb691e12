"""My solution (twin B, a checkout with a kata/ folder): the same code, renamed."""

import torch as T


def first_derivative(f, x: T.Tensor) -> T.Tensor:
    """Differentiate f at x."""
    xx = x.detach().clone().requires_grad_(True)
    y = f(xx)
    y.backward()  # fills xx.grad
    return xx.grad
