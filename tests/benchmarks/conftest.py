"""Benchmarks of what graph mode buys, in two modes.

Timed, when asked for with `--benchmark-enable` (or `--benchmark-only`): every case is compiled
for real, warmed up, timed by pytest-benchmark, and a table of ratios is printed at the end.

Fast, otherwise (as in the project's `pytest --impl=solutions tests`): pytest-benchmark is
disabled for this folder, so each case runs once, and torch.compile traces with TorchDynamo
but hands the graph to the `eager` backend instead of compiling C++: every case is still
checked to run and to compile without a graph break, in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import torch

from autodiff_kata import bench

RESULTS = pytest.StashKey[bench.Results]()
NOT_MEASURED = pytest.StashKey[dict[str, str]]()
RAN_UNTIMED = pytest.StashKey[int]()
STARTUP = pytest.StashKey[float]()


def is_timed(config: pytest.Config) -> bool:
    """Whether this run was asked to time the benchmarks, not only to run them."""
    return bool(
        config.getoption("benchmark_enable", default=False)
        or config.getoption("benchmark_only", default=False)
    )


@pytest.fixture
def timed(request: pytest.FixtureRequest) -> bool:
    return is_timed(request.config)


@pytest.fixture
def benchmark(benchmark, timed: bool):
    """pytest-benchmark's fixture, disabled (one plain call) unless timing was asked for."""
    if not timed:
        benchmark.disabled = True
    return benchmark


@pytest.fixture(autouse=True)
def cheap_compile_when_untimed(timed: bool, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In the fast mode, every torch.compile (the exercises' included) uses the eager backend."""
    if not timed:
        monkeypatch.setattr(torch, "compile", bench.cheap_compile)
    yield


@pytest.fixture(scope="session")
def compiler_started(request: pytest.FixtureRequest) -> None:
    """When timing, the compiler's one-off start-up (imports, C++ toolchain checks) is paid
    here, on a throwaway function, so that it is not charged to whichever case compiles first."""
    if not is_timed(request.config):
        return
    start = time.perf_counter()
    torch.compile(lambda x: x * 2 + 1)(torch.zeros(()))
    request.config.stash[STARTUP] = time.perf_counter() - start
    torch._dynamo.reset()


@pytest.fixture
def results(request: pytest.FixtureRequest) -> bench.Results:
    return request.config.stash.setdefault(RESULTS, {})


@pytest.fixture
def not_measured(request: pytest.FixtureRequest) -> dict[str, str]:
    """Devices whose cases were skipped, with the reason, for the summary."""
    return request.config.stash.setdefault(NOT_MEASURED, {})


@pytest.fixture
def note_untimed_run(request: pytest.FixtureRequest):
    """Count a case that ran untimed, for the summary line."""
    config = request.config

    def note() -> None:
        config.stash[RAN_UNTIMED] = config.stash.get(RAN_UNTIMED, 0) + 1

    return note


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config):
    tr = terminalreporter
    results = config.stash.get(RESULTS, {})
    not_measured = config.stash.get(NOT_MEASURED, {})
    if not is_timed(config):
        if config.stash.get(RAN_UNTIMED, 0):
            tr.write_line(
                "benchmarks: each case ran once, untimed, with a cheap compile backend; "
                "time them with `pytest tests/benchmarks --benchmark-enable`."
            )
        return
    if not results and not not_measured:
        return
    tr.section("what graph mode buys: ratios", sep="=", bold=True)
    for device in bench.DEVICES:
        if any(key[0] == device and not m.skipped for key, m in results.items()):
            tr.write_line("")
            tr.write_line(bench.environment(device), bold=True)
            tr.write_line("")
            for line in bench.ratio_table(results, device):
                tr.write_line(line)
        elif device in not_measured:
            tr.write_line("")
            tr.write_line(f"{device}: not measured — {not_measured[device]}", yellow=True)
    tr.write_line("")
    if STARTUP in config.stash:
        tr.write_line(
            f"compiler start-up, paid once per process before the first compile: "
            f"{bench.format_time(config.stash[STARTUP])} (not in the compile column)."
        )
    tr.write_line(
        "time: one call (a derivative, or all 1000 updates), fastest of pytest-benchmark's "
        "rounds after warm-up, compiling excluded. compile: the first call after "
        "torch._dynamo.reset() minus a steady one (with inductor's on-disk cache as it is). "
        "break-even: compile time ÷ time saved per update (or call)."
    )
