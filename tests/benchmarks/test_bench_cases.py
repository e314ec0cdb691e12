"""Every benchmark case, on every device, for the reference and for the learner's code.

Timed with `pytest tests/benchmarks --benchmark-enable`; otherwise each runs once (see the
conftest). Nothing here asserts a timing: a result is checked only to be the right answer.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path

import pytest
import torch

from autodiff_kata import bench
from autodiff_kata.plugin import resolve_impl
from autodiff_kata.project import Project

pytest.importorskip(
    "pytest_benchmark", reason="pytest-benchmark is not installed: pip install -e '.[dev]'"
)

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:`torch.jit.script_method` is deprecated:DeprecationWarning"  # inside inductor
    ),
    pytest.mark.filterwarnings(
        "ignore:`torch.jit.script` is deprecated:DeprecationWarning"  # inside torch.func.jacfwd
    ),
]

#: A loop of 1000 updates takes a good part of a second: more rounds than pytest-benchmark's
#: default five, so that the fastest is one that other work on the machine left alone.
LOOP_ROUNDS = 10


def marked(param: bench.Param) -> object:
    marks = [pytest.mark.benchmark(min_rounds=LOOP_ROUNDS)] if param.case.steps > 1 else []
    return pytest.param(param, marks=marks, id=param.id)


#: Untimed calls before timing starts, at least this many and for at least this long.
WARMUP_CALLS = 3
WARMUP_SECONDS = 0.3


def raised_in(error: BaseException, path: Path) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename) == path.resolve()


def exercise_function(param: bench.Param, config: pytest.Config):
    """The exercise's function from solutions/ or from the folder --impl names."""
    case = param.case
    if param.impl == "reference":
        folder = bench.reference_folder(Project(config.rootpath))
    else:
        folder = resolve_impl(config.getoption("impl"), config.rootpath)
    try:
        function = bench.load_function(folder, case.exercise, case.function, param.impl)
    except Exception as error:
        pytest.fail(f"{param.impl} {folder / case.exercise}.py cannot be loaded: {error}")
    return function, folder / f"{case.exercise}.py"


@pytest.mark.usefixtures("compiler_started")
@pytest.mark.parametrize("param", [marked(p) for p in bench.params()])
def test_case(
    param: bench.Param, benchmark, request, timed, results, not_measured, note_untimed_run
):
    key = (param.device, param.case.id, param.impl)
    reason = bench.skip_reason(param.device)
    if reason:
        not_measured[param.device] = reason
        results[key] = bench.Measurement(skipped="not measured")
    bench.require_device(param.device)

    case = param.case
    function, path = exercise_function(param, request.config) if case.exercise else (None, None)
    workload = bench.workload(case, param.device, function)

    run = bench.synchronised(workload.run, param.device)
    torch._dynamo.reset()  # the first call compiles from nothing
    held = bench.reset_peak_memory(param.device)
    try:
        first_s, result = bench.first_call(run)
    except NotImplementedError as error:
        if path is None or not raised_in(error, path):
            raise
        results[key] = bench.Measurement(skipped="not implemented yet")
        pytest.skip(f"{param.impl}'s {path.name}: not implemented yet — {error}")
    workload.check(result)

    if timed:
        warmup_start = time.perf_counter()
        calls = 0
        while calls < WARMUP_CALLS or time.perf_counter() - warmup_start < WARMUP_SECONDS:
            run()
            calls += 1
    else:
        note_untimed_run()

    benchmark.group = f"{param.device}: {case.scenario}"
    benchmark.extra_info.update(
        case=case.label,
        device=param.device,
        impl=param.impl or "built here",
        steps=case.steps,
        compiled=case.compiled,
        first_call_s=first_s,
        torch=torch.__version__,
    )
    benchmark(run)
    if not timed:
        return
    # The fastest round, not the median: on a busy machine it is the one least disturbed by
    # other work. pytest-benchmark's own table and JSON keep every statistic.
    measurement = bench.Measurement(
        best_s=benchmark.stats.stats.min,
        first_call_s=first_s if case.compiled else None,
        peak_memory_bytes=bench.peak_memory(param.device, held),
    )
    benchmark.extra_info.update(
        compile_s=measurement.compile_s, peak_memory_bytes=measurement.peak_memory_bytes
    )
    results[key] = measurement
