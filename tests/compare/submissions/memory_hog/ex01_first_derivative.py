"""A runaway allocation: keeps asking for 1 GiB tensors (stopped by the memory limit)."""

import torch


def first_derivative(f, x):
    hoard = []
    while True:
        hoard.append(torch.empty(2**28))
