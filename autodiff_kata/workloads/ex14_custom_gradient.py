"""Exercise 14's probe (it has no benchmark): small inputs, and those where exp overflows."""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case, Workload

t = torch.tensor

PROBE = Workload(
    [
        Case((t([0.0, 100.0]), t([1.0, 1.0])), {}),  # the worked example
        Case((t([-1.5, 0.3, 89.0, -100.0]), t([0.5, -2.0, 1.0, 3.0])), {}),
        Case((t([0.7, 1000.0, -1000.0], dtype=torch.float64),
              t([1.0, 2.0, 1.0], dtype=torch.float64)), {}),
    ],
    Case((t([-1.5, 0.3, 89.0, -100.0]), t([0.5, -2.0, 1.0, 3.0])), {}),
    100,
)  # fmt: skip

BENCHMARKS = ()
