"""Exercise 4's probe and benchmarks: one derivative from a compiled graph."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from autodiff_kata import bench
from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.workloads import CHAPTER_MINIMISED, WAVY

t = torch.tensor

PROBE = Workload(
    [
        Case((CHAPTER_MINIMISED, 0.0), {}),
        Case((CHAPTER_MINIMISED, 1.0), {}),
        Case((WAVY, t([0.5, -1.0])), {}),
    ],
    Case((CHAPTER_MINIMISED, t(1.0)), {}),
    50,
)


def derivative_compiled(f: Callable[[Tensor], Tensor], mode: str | None = None) -> Callable:
    """(df/dx, x) by one compiled graph, as exercise 4, in a given compile mode."""

    def derivative_and_input(x: Tensor) -> tuple[Tensor, Tensor]:
        return torch.func.grad(f)(x), x

    return torch.compile(derivative_and_input, fullgraph=True, mode=mode)


def cuda_graphs(device: torch.device) -> bench.Workload:
    derivative = derivative_compiled(bench.chapter_function(), mode="reduce-overhead")
    x0 = torch.tensor(bench.X0, device=device)
    return bench.Workload(lambda: tuple(t.clone() for t in derivative(x0)), bench.check_derivative)


BENCHMARKS = (
    bench.Case(
        "ex04-compiled",
        "derivative",
        "ex04 torch.compile(func.grad)",
        compiled=True,
        exercise="ex04_derivative_in_graph_mode",
        function="derivative_in_graph_mode",
        baseline="ex01-eager",
        call=bench.chapter_call(bench.check_derivative),
    ),
    bench.Case(
        "derivative-reduce-overhead",
        "derivative",
        "func.grad, compiled, CUDA graphs",
        compiled=True,
        devices=("cuda",),
        baseline="ex01-eager",
        build=cuda_graphs,
    ),
)
