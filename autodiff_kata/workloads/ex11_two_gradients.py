"""Exercise 11's probe (it has no benchmark: two backward passes, as exercise 1)."""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.functions import Fn, Term
from autodiff_kata.workloads import BOWL, WAVY

t = torch.tensor
SQUARE = Fn((Term("x**2"),))
BOUNDED = Fn((Term("tanh", 1.5, 0.7), Term("sin", 0.5)))

PROBE = Workload(
    [
        Case((SQUARE, SQUARE, t(3.0)), {}),  # the worked example
        Case((WAVY, BOUNDED, t([-1.5, 0.0, 0.7])), {}),
        Case((BOWL, BOUNDED, t(0.4, dtype=torch.float64)), {}),
    ],
    Case((WAVY, BOUNDED, t([-1.5, 0.0, 0.7])), {}),
    100,
)

BENCHMARKS = ()
