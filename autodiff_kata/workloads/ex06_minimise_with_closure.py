"""Exercise 6's probe and benchmark: 1000 eager SGD updates with step(closure)."""

from __future__ import annotations

from autodiff_kata import bench
from autodiff_kata.compare.probe import Workload
from autodiff_kata.workloads import DESCENT_TIMED, DESCENTS

PROBE = Workload(DESCENTS, DESCENT_TIMED, 1)

BENCHMARKS = (
    bench.Case(
        "ex06-eager",
        "minimise with a closure",
        "ex06 SGD step(closure), eager",
        exercise="ex06_minimise_with_closure",
        function="minimise_with_closure",
        steps=bench.STEPS,
        call=bench.chapter_call(bench.check_minimum, bench.STEPS),
    ),
)
