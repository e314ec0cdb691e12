"""Exercise 13's probe (it has no benchmark)."""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.functions import Fn, ScalarOfVector, Term
from autodiff_kata.workloads import MIXING

t = torch.tensor
CURVED = ScalarOfVector(Fn((Term("logcosh", 1.3, 0.9, 0.2), Term("x**2", 0.4))), MIXING)

PROBE = Workload(
    [
        Case((CURVED, t([0.5, -1.0, 1.5]), t([1.0, 0.0, 0.0])), {}),
        Case((CURVED, t([0.2, 0.4, -0.6]), t([0.3, -1.2, 0.7])), {}),
        Case((CURVED, t([0.5, -1.0, 1.5], dtype=torch.float64),
              t([2.0, -0.5, 1.0], dtype=torch.float64)), {}),
    ],
    Case((CURVED, t([0.2, 0.4, -0.6]), t([0.3, -1.2, 0.7])), {}),
    100,
)  # fmt: skip

BENCHMARKS = ()
