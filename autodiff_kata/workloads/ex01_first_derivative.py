"""Exercise 1's probe and benchmark: one derivative, eager."""

from __future__ import annotations

import torch

from autodiff_kata import bench
from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.workloads import CHAPTER, WAVY

t = torch.tensor

PROBE = Workload(
    [
        Case((CHAPTER, t(0.0)), {}),
        Case((WAVY, t([-1.5, 0.0, 0.7])), {}),
        Case((WAVY, t([[0.25, -0.5], [1.0, 2.0]], dtype=torch.float64)), {}),
    ],
    Case((WAVY, t([-1.5, 0.0, 0.7])), {}),
    100,
)

BENCHMARKS = (
    bench.Case(
        "ex01-eager",
        "derivative",
        "ex01 autograd.grad, eager",
        exercise="ex01_first_derivative",
        function="first_derivative",
        call=bench.chapter_call(bench.check_derivative),
    ),
)
