"""Exercise 2's probe (it has no benchmark: its cost is exercise 1's)."""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.functions import chapter_quadratic_of_constants
from autodiff_kata.workloads import OF_CONSTANTS

t = torch.tensor

PROBE = Workload(
    [
        Case((chapter_quadratic_of_constants(), t(0.0), t(1.0), t(2.0), t(3.0)), {}),
        Case((OF_CONSTANTS, t([0.3, -0.8]), t(1.5), t(-0.5), t(2.0)), {}),
    ],
    Case((OF_CONSTANTS, t([0.3, -0.8]), t(1.5), t(-0.5), t(2.0)), {}),
    100,
)

BENCHMARKS = ()
