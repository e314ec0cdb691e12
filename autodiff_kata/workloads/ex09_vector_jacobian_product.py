"""Exercise 9's probe (it has no benchmark: one backward pass, as exercise 1)."""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.workloads import MIXING

t = torch.tensor

PROBE = Workload(
    [
        Case((MIXING, t([0.5, -1.0, 1.5]), t([1.0, 0.1])), {}),
        Case((MIXING, t([[0.2, 0.4, -0.6], [1.0, 0.0, -1.0]]), t([[1.0, -1.0], [0.5, 2.0]])), {}),
        Case((MIXING, t([0.5, -1.0, 1.5], dtype=torch.float64),
              t([2.0, -0.5], dtype=torch.float64)), {}),
    ],
    Case((MIXING, t([0.5, -1.0, 1.5]), t([1.0, 0.1])), {}),
    100,
)  # fmt: skip

BENCHMARKS = ()
