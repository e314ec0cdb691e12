"""Exercise 10's probe (it has no benchmark: one backward pass, as exercise 1)."""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.functions import Fn, Term
from autodiff_kata.workloads import BOWL, WAVY

t = torch.tensor

PROBE = Workload(
    [
        Case((Fn((Term("x**2"),)), Fn((Term("x**3"),)), t(3.0)), {}),  # the worked example
        Case((WAVY, BOWL, t([-1.5, 0.0, 0.7])), {}),
        Case((BOWL, WAVY, t(0.4, dtype=torch.float64)), {}),
    ],
    Case((WAVY, BOWL, t([-1.5, 0.0, 0.7])), {}),
    100,
)

BENCHMARKS = ()
