"""Exercise 15's probe and benchmarks: a batch's per-sample gradients by vmap, against a
Python loop of one gradient per sample."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor

from autodiff_kata import bench
from autodiff_kata.compare.probe import Case, Workload
from autodiff_kata.functions import Fn, SampleLoss, Term

t = torch.tensor
LOSS = SampleLoss(Fn((Term("softplus", 1.0, 1.0, 0.5), Term("x**2", 0.3))))

PROBE = Workload(
    [
        Case((SampleLoss(Fn((Term("x**2"),))), t([1.0, 2.0]),
              t([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])), {}),  # the worked example
        Case((LOSS, t([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4]]),
              t([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]])), {}),
        Case((LOSS, t([0.5, -1.0], dtype=torch.float64),
              t([[1.0, 0.5], [-0.3, 2.0]], dtype=torch.float64)), {}),
    ],
    Case((LOSS, t([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4]]),
          t([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]])), {}),
    100,
)  # fmt: skip

#: The batch timed: BATCH samples of INPUTS numbers, through a layer of OUTPUTS.
BATCH, INPUTS, OUTPUTS = 256, 32, 16
SCENARIO = f"per-sample gradients: {BATCH} samples, w of {OUTPUTS}×{INPUTS}"


def batch(device: torch.device) -> tuple[SampleLoss, Tensor, Tensor]:
    generator = torch.Generator().manual_seed(0)
    w = torch.randn(OUTPUTS, INPUTS, generator=generator) / INPUTS**0.5
    xs = torch.randn(BATCH, INPUTS, generator=generator)
    return LOSS, w.to(device), xs.to(device)


def check(result: Any) -> None:
    shape = (BATCH, OUTPUTS, INPUTS)
    if tuple(result.shape) != shape or not bool(result.isfinite().all()):
        raise AssertionError(f"expected finite gradients of shape {shape}, got {result!r}")


def loop_over_samples(device: torch.device) -> bench.Workload:
    loss, w, xs = batch(device)
    gradient = torch.func.grad(loss)
    return bench.Workload(lambda: torch.stack([gradient(w, x) for x in xs]), check)


def exercise_call(per_sample: Callable[..., Tensor], device: torch.device) -> bench.Workload:
    loss, w, xs = batch(device)
    return bench.Workload(lambda: per_sample(loss, w, xs), check)


BENCHMARKS = (
    bench.Case("per-sample-loop", SCENARIO, "torch.func.grad in a Python loop over samples",
               build=loop_over_samples),
    bench.Case("ex15-per-sample-vmap", SCENARIO, "ex15 vmap(grad(loss))",
               exercise="ex15_per_sample_gradients", function="per_sample_gradients",
               baseline="per-sample-loop", call=exercise_call),
)  # fmt: skip
