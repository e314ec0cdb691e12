"""Exercise 5's probe and benchmark: 1000 eager SGD updates fed explicit gradients."""

from __future__ import annotations

from autodiff_kata import bench
from autodiff_kata.compare.probe import Workload
from autodiff_kata.workloads import DESCENT_TIMED, DESCENTS

PROBE = Workload(DESCENTS, DESCENT_TIMED, 1)

BENCHMARKS = (
    bench.Case(
        "ex05-eager",
        "minimise with gradients",
        "ex05 SGD, eager",
        exercise="ex05_minimise_with_gradients",
        function="minimise_with_gradients",
        steps=bench.STEPS,
        call=bench.chapter_call(bench.check_minimum, bench.STEPS),
    ),
)
