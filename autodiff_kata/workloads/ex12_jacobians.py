"""Exercise 12's probe and benchmarks: which mode builds a Jacobian cheaper, for which shape.

Reverse mode (jacrev) takes a backward pass per output, forward mode (jacfwd) a forward pass
per input, each batched by vmap: a wide Jacobian (few outputs of many inputs) should favour
reverse mode, a tall one (many outputs of few inputs) forward mode. A batch's Jacobians by
vmap are timed against a Python loop over its samples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from autodiff_kata import bench
from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.workloads import MIXING

t = torch.tensor

PROBE = Workload(
    [
        Case((MIXING, t([0.5, -1.0, 1.5])), {}),
        Case((MIXING, t([0.5, -1.0, 1.5], dtype=torch.float64)), {}),
    ],
    Case((MIXING, t([0.5, -1.0, 1.5])), {}),
    100,
)

#: The shapes timed: (outputs, inputs), and a batch of square samples.
WIDE = (16, 1024)
TALL = (1024, 16)
BATCH, SAMPLE = 256, 16


def mixing(outputs: int, inputs: int, device: torch.device) -> Callable[[Tensor], Tensor]:
    """tanh(M @ sin(x)), M fixed: every output depends on every input."""
    m = torch.randn(outputs, inputs, generator=torch.Generator().manual_seed(0)) / inputs**0.5
    m = m.to(device)
    return lambda x: torch.tanh(torch.sin(x) @ m.T)


def point(inputs: int, device: torch.device) -> Tensor:
    return torch.linspace(-1.0, 1.0, inputs, device=device)


def check_shape(shape: tuple[int, ...]) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        if tuple(result.shape) != shape or not bool(result.isfinite().all()):
            raise AssertionError(f"expected a finite Jacobian of shape {shape}, got {result!r}")

    return check


def transform(mode: Callable, shape: tuple[int, int]) -> Callable[[torch.device], bench.Workload]:
    """A case's `build`: the Jacobian of `mixing` at one point by a torch.func transform."""

    def build(device: torch.device) -> bench.Workload:
        f, x = mixing(*shape, device), point(shape[1], device)
        jacobian = mode(f)
        return bench.Workload(lambda: jacobian(x), check_shape(shape))

    return build


def exercise_jacobian(shape: tuple[int, int]) -> Callable[..., bench.Workload]:
    """An exercise case's `call`: the exercise's jacobian(f, x) on `mixing`, one point."""

    def call(jacobian: Callable[..., Tensor], device: torch.device) -> bench.Workload:
        f, x = mixing(*shape, device), point(shape[1], device)
        return bench.Workload(lambda: jacobian(f, x), check_shape(shape))

    return call


def batch(device: torch.device) -> tuple[Callable[[Tensor], Tensor], Tensor]:
    f = mixing(SAMPLE, SAMPLE, device)
    xs = torch.linspace(-1.0, 1.0, BATCH * SAMPLE, device=device).reshape(BATCH, SAMPLE)
    return f, xs


def loop_over_samples(device: torch.device) -> bench.Workload:
    f, xs = batch(device)
    jacobian = torch.func.jacrev(f)
    return bench.Workload(
        lambda: torch.stack([jacobian(x) for x in xs]), check_shape((BATCH, SAMPLE, SAMPLE))
    )


def exercise_batch(batch_jacobian: Callable[..., Tensor], device: torch.device) -> bench.Workload:
    f, xs = batch(device)
    return bench.Workload(lambda: batch_jacobian(f, xs), check_shape((BATCH, SAMPLE, SAMPLE)))


def _cases(shape: tuple[int, int], name: str) -> tuple[bench.Case, ...]:
    outputs, inputs = shape
    scenario = f"Jacobian, {name}: {outputs} outputs of {inputs} inputs"
    return (
        bench.Case(f"jacrev-{name}", scenario, "jacrev (reverse mode)",
                   build=transform(torch.func.jacrev, shape)),
        bench.Case(f"jacfwd-{name}", scenario, "jacfwd (forward mode)", baseline=f"jacrev-{name}",
                   build=transform(torch.func.jacfwd, shape)),
        bench.Case(f"ex12-jacobian-{name}", scenario, "ex12 jacobian", baseline=f"jacrev-{name}",
                   exercise="ex12_jacobians", function="jacobian", call=exercise_jacobian(shape)),
    )  # fmt: skip


BENCHMARKS = (
    *_cases(WIDE, "wide"),
    *_cases(TALL, "tall"),
    bench.Case(
        "jacobian-loop",
        f"batch Jacobian: {BATCH} samples of {SAMPLE} → {SAMPLE}",
        "jacrev in a Python loop over samples",
        build=loop_over_samples,
    ),
    bench.Case(
        "ex12-batch-jacobian",
        f"batch Jacobian: {BATCH} samples of {SAMPLE} → {SAMPLE}",
        "ex12 batch_jacobian",
        exercise="ex12_jacobians",
        function="batch_jacobian",
        baseline="jacobian-loop",
        call=exercise_batch,
    ),
)
