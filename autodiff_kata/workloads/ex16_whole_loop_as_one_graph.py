"""Exercise 16's probe and benchmarks: the 1000 updates of exercise 5 as one compiled graph,
timed against exercise 5 (eager) and exercise 7 (a compiled step), and beside the same
updates on Python floats and the while-loop formulations of bench.py; one more of those,
with FUSED steps per iteration (masked past the count) and inductor's C++ wrapper, so that
the loop runs a few kernels in all."""

from __future__ import annotations

from autodiff_kata import bench
from autodiff_kata.compare.probe import Workload
from autodiff_kata.workloads import DESCENT_TIMED, DESCENTS

PROBE = Workload(DESCENTS, DESCENT_TIMED, 1)

FUSED = 100

BENCHMARKS = (
    bench.Case(
        "ex16-one-graph",
        "minimise with gradients",
        "ex16 the whole loop, one compiled graph",
        compiled=True,
        exercise="ex16_whole_loop_as_one_graph",
        function="minimise_in_one_graph",
        baseline="ex05-eager",
        steps=bench.STEPS,
        call=bench.chapter_call(bench.check_minimum, bench.STEPS),
    ),
    bench.Case(
        f"while-loop-fused-{FUSED}-cpp",
        "beyond the chapter: 1000 updates",
        f"while_loop, {FUSED} fused steps, C++ wrapper",
        compiled=True,
        baseline="ex05-eager",
        steps=bench.STEPS,
        build=bench.while_loop(FUSED, {"cpp_wrapper": True}),
        devices=bench.CPP_WRAPPER_DEVICES,
    ),
)
