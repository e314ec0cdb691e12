"""Exercise 7's probe and benchmarks: 1000 SGD updates fed a compiled gradient."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from autodiff_kata import bench
from autodiff_kata.compare.probe import Workload
from autodiff_kata.workloads import DESCENT_TIMED, DESCENTS

PROBE = Workload(DESCENTS, DESCENT_TIMED, 1)


def minimise_with_gradients_cuda_graphs(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = bench.STEPS, lr: float = bench.LR
) -> tuple[Tensor, Tensor]:
    """Exercise 7's loop, its compiled gradient replayed as a CUDA graph (reduce-overhead)."""
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    gradient = torch.compile(torch.func.grad(f), fullgraph=True, mode="reduce-overhead")
    for _ in range(steps):
        torch.compiler.cudagraph_mark_step_begin()
        # The graph's output lives in memory the next replay overwrites: copy it out.
        x.grad = gradient(x.detach()).clone()
        opt.step()
    with torch.no_grad():
        return x.detach(), f(x)


def cuda_graphs(device: torch.device) -> bench.Workload:
    x0 = torch.tensor(bench.X0, device=device)
    return bench.Workload(
        lambda: minimise_with_gradients_cuda_graphs(bench.chapter_function(), x0),
        bench.check_minimum,
    )


BENCHMARKS = (
    bench.Case(
        "ex07-compiled",
        "minimise with gradients",
        "ex07 compiled gradient + SGD",
        compiled=True,
        exercise="ex07_minimise_with_gradients_in_graph_mode",
        function="minimise_with_gradients_in_graph_mode",
        baseline="ex05-eager",
        steps=bench.STEPS,
        call=bench.chapter_call(bench.check_minimum, bench.STEPS),
    ),
    bench.Case(
        "ex07-reduce-overhead",
        "minimise with gradients",
        "ex07's loop, CUDA graphs",
        compiled=True,
        devices=("cuda",),
        baseline="ex05-eager",
        steps=bench.STEPS,
        build=cuda_graphs,
    ),
)
