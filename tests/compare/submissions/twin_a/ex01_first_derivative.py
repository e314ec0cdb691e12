"""Exercise 1, by twin A: backward() and .grad."""

import torch


def first_derivative(f, x):
    # a copy that requires grad, so the caller's x is untouched
    point = x.detach().clone().requires_grad_(True)
    value = f(point)
    value.backward()
    return point.grad
