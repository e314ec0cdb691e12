"""Exercise 8's probe and benchmarks: 1000 SGD updates with step(closure) over a compiled loss."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from autodiff_kata import bench
from autodiff_kata.compare.probe import Workload
from autodiff_kata.workloads import DESCENT_TIMED, DESCENTS

PROBE = Workload(DESCENTS, DESCENT_TIMED, 1)


def minimise_with_closure_cuda_graphs(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int = bench.STEPS, lr: float = bench.LR
) -> tuple[Tensor, Tensor]:
    """Exercise 8's loop, its compiled loss (forward and backward) replayed as CUDA graphs."""
    x = torch.nn.Parameter(x0.detach().clone())  # a parameter: CUDA graphs keep its address
    opt = torch.optim.SGD([x], lr=lr)
    loss_of = torch.compile(f, fullgraph=True, mode="reduce-overhead")

    def closure() -> Tensor:
        torch.compiler.cudagraph_mark_step_begin()
        opt.zero_grad()
        loss = loss_of(x)
        loss.backward()
        return loss.detach().clone()

    for _ in range(steps):
        opt.step(closure)
    with torch.no_grad():
        return x.detach(), f(x)


def cuda_graphs(device: torch.device) -> bench.Workload:
    f = bench.chapter_function()
    x0 = torch.tensor(bench.X0, device=device)
    return bench.Workload(lambda: minimise_with_closure_cuda_graphs(f, x0), bench.check_minimum)


BENCHMARKS = (
    bench.Case(
        "ex08-compiled",
        "minimise with a closure",
        "ex08 compiled f + step(closure)",
        compiled=True,
        exercise="ex08_minimise_with_closure_in_graph_mode",
        function="minimise_with_closure_in_graph_mode",
        baseline="ex06-eager",
        steps=bench.STEPS,
        call=bench.chapter_call(bench.check_minimum, bench.STEPS),
    ),
    bench.Case(
        "ex08-reduce-overhead",
        "minimise with a closure",
        "ex08's loop, CUDA graphs",
        compiled=True,
        devices=("cuda",),
        baseline="ex06-eager",
        steps=bench.STEPS,
        build=cuda_graphs,
    ),
)
