"""Exercise 3's probe and benchmarks: a second derivative, eager and as one compiled graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from autodiff_kata import bench
from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.functions import quadratic
from autodiff_kata.workloads import CHAPTER, WAVY

t = torch.tensor

PROBE = Workload(
    [
        Case((CHAPTER, t(0.0)), {}),
        Case((WAVY, t(0.7)), {}),
        Case((quadratic(0, 3, 1), t(1.0)), {}),  # linear: zero
        Case((WAVY, t(-0.4, dtype=torch.float64)), {}),
    ],
    Case((WAVY, t(0.7)), {}),
    100,
)


def check_second_derivative(result: Any) -> None:
    bench.expect("d²f/dx² at x = 0", float(result), bench.EXPECTED_SECOND_DERIVATIVE)


def second_derivative_compiled(f: Callable[[Tensor], Tensor], mode: str | None = None) -> Callable:
    """d²f/dx² by one compiled graph: a function transform nested in one, no double backward."""
    return torch.compile(torch.func.grad(torch.func.grad(f)), fullgraph=True, mode=mode)


def compiled(mode: str | None) -> Callable[[torch.device], bench.Workload]:
    def build(device: torch.device) -> bench.Workload:
        second = second_derivative_compiled(bench.chapter_function(), mode)
        x0 = torch.tensor(bench.X0, device=device)
        # CUDA graphs' output lives in memory the next replay overwrites: copy it out.
        run = (lambda: second(x0).clone()) if mode else (lambda: second(x0))
        return bench.Workload(run, check_second_derivative)

    return build


BENCHMARKS = (
    bench.Case(
        "ex03-eager",
        "second derivative",
        "ex03 grad(create_graph=True), eager",
        exercise="ex03_second_derivative",
        function="second_derivative",
        call=bench.chapter_call(check_second_derivative),
    ),
    bench.Case(
        "second-derivative-compiled",
        "second derivative",
        "torch.compile(func.grad(func.grad))",
        compiled=True,
        baseline="ex03-eager",
        build=compiled(None),
    ),
    bench.Case(
        "second-derivative-reduce-overhead",
        "second derivative",
        "func.grad(func.grad), CUDA graphs",
        compiled=True,
        devices=("cuda",),
        baseline="ex03-eager",
        build=compiled("reduce-overhead"),
    ),
)
