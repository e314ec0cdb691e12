"""Benchmarks of what graph mode buys: the cases, their workloads, a synchronising timer, the
ratio table.

The pytest side lives in tests/benchmarks (see its conftest); everything here is plain code, so
that it can be checked without timing anything.

Each case is one way of doing one scenario on one device: a derivative, a second derivative,
1000 SGD updates of the chapter's quadratic, and so on. Exercise cases time the function of an
exercise module, once from solutions/ (the reference) and once from the learner's folder;
the other cases build their own work, and are timed once. Each exercise's cases live beside
it, in autodiff_kata/workloads/<module>.py (BENCHMARKS); the cases that go beyond every
exercise are here.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from autodiff_kata.functions import quadratic
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES
from autodiff_kata.spies import compiling_with

#: The chapter's minimisation: f(x) = x² − 2x + 1 from x = 0, 1000 SGD steps with lr = 0.01.
A, B, C = 1.0, -2.0, 1.0
X0 = 0.0
STEPS = 1000
LR = 0.01
#: Steps fused into one iteration of the graph-mode loops that go beyond the chapter.
UNROLL = 10

#: Where each scenario should end: f'(0) = −2, f''(0) = 2, x after 1000 steps ≈ 0.99999857.
EXPECTED_DERIVATIVE = -2.0
EXPECTED_SECOND_DERIVATIVE = 2.0
EXPECTED_X = 0.99999857
X_TOLERANCE = 1e-6  # a few ulps near 1: SGD, a hand-rolled update and inductor differ by one

FLOOR = "python-floats"

#: The timer of first calls (a name of its own, so that a test can put a stand-in in its place).
clock = time.perf_counter


@dataclass
class Workload:
    """A zero-argument callable that does the case's work once, and a check of its result."""

    run: Callable[[], Any]
    check: Callable[[Any], None] = field(default=lambda result: None)


#: Inductor's C++ wrapper of a while_loop does not compile for CUDA (torch 2.11 declares
#: `stream0` twice in it): those cases are measured on the CPU, where they are the point.
CPP_WRAPPER_DEVICES = ("cpu",)


@dataclass(frozen=True)
class Case:
    """One formulation of one scenario. `exercise` cases are timed for reference and learner:
    `call` makes the work of the exercise's function on a device; the others' `build` makes
    their own."""

    id: str
    scenario: str
    label: str
    compiled: bool = False
    exercise: str | None = None  # module, e.g. "ex05_minimise_with_gradients"
    function: str | None = None
    devices: tuple[str, ...] = ("cpu", "cuda")  # where it is measured
    host_only: bool = False  # plain Python: no device, measured once, under "cpu"
    baseline: str | None = None  # the eager case it is compared with
    steps: int = 1  # derivatives or updates per timed call
    call: Callable[[Callable[..., Any], torch.device], Workload] | None = None
    build: Callable[[torch.device], Workload] | None = None

    @property
    def per_step_unit(self) -> str:
        return "update" if self.steps > 1 else "call"


def _beyond_the_chapter() -> tuple[Case, ...]:
    """The 1000 updates of exercise 5 as one graph, and the floor: the same updates in Python."""
    common = {"scenario": "beyond the chapter: 1000 updates", "compiled": True,
              "baseline": "ex05-eager", "steps": STEPS}  # fmt: skip
    return (
        Case("while-loop", label="while_loop, 1 step per iteration", build=while_loop(1), **common),
        Case(
            "while-loop-fused",
            label=f"while_loop, {UNROLL} fused steps per iteration",
            build=while_loop(UNROLL),
            **common,
        ),
        Case(
            "while-loop-fused-cpp",
            label=f"while_loop, {UNROLL} fused steps, C++ wrapper",
            build=while_loop(UNROLL, {"cpp_wrapper": True}),
            devices=CPP_WRAPPER_DEVICES,
            **common,
        ),
        Case(
            "chunks-reduce-overhead",
            label=f"chunks of {UNROLL} fused steps, CUDA graphs",
            devices=("cuda",),
            build=chunks_cuda_graphs,
            **common,
        ),
        Case(
            FLOOR,
            "beyond the chapter: 1000 updates",
            "floor: the same updates on Python floats",
            host_only=True,
            devices=("cpu",),
            baseline="ex05-eager",
            steps=STEPS,
            build=lambda device: Workload(
                lambda: python_floats(A, B, X0, steps=STEPS, lr=LR), check_float64_minimum
            ),
        ),
    )


@cache
def cases() -> tuple[Case, ...]:
    """Every case: each exercise's (autodiff_kata/workloads/<module>.py), in course order, then
    those beyond every exercise."""
    return (*(c for e in EXERCISES for c in e.workloads().BENCHMARKS), *_beyond_the_chapter())


DEVICES = ("cpu", "cuda")


@dataclass(frozen=True)
class Param:
    """One benchmark test: a case on a device, for the reference or the learner."""

    case: Case
    device: str
    impl: str  # "reference" or "learner" for exercise cases, "" otherwise

    @property
    def id(self) -> str:
        return "-".join(part for part in (self.device, self.case.id, self.impl) if part)


def params() -> list[Param]:
    """Every benchmark test, CUDA ones included (they skip, with a reason, without CUDA)."""
    out = []
    for device in DEVICES:
        for case in cases():
            if device not in case.devices:
                continue
            impls = ("reference", "learner") if case.exercise else ("",)
            out.extend(Param(case, device, impl) for impl in impls)
    return out


def skip_reason(device: str) -> str | None:
    """Why cases on `device` cannot run here, or None if they can."""
    if torch.device(device).type != "cuda":
        return None
    if not torch.cuda.is_available():
        build = (
            f"built with CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
        )
        return (
            f"CUDA is not available (torch {torch.__version__}, {build}, "
            f"{torch.cuda.device_count()} devices): CUDA cases not measured"
        )
    return None


def require_device(device: str) -> None:
    """Skip the running test, with the reason, if `device` is not available here."""
    import pytest

    reason = skip_reason(device)
    if reason:
        pytest.skip(reason)


# timing -------------------------------------------------------------------------------------


def synchronised(run: Callable[[], Any], device: str | torch.device) -> Callable[[], Any]:
    """`run`, followed by torch.cuda.synchronize(device) when the device is CUDA: CUDA work is
    asynchronous, and a timer that stops before it ends times the launches, not the work."""
    device = torch.device(device)
    if device.type != "cuda":
        return run

    def run_and_wait() -> Any:
        result = run()
        torch.cuda.synchronize(device)
        return result

    return run_and_wait


def first_call(run: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds the first call of a (synchronised) run takes, compiling included, and its result."""
    start = clock()
    result = run()
    return clock() - start, result


def reset_peak_memory(device: str | torch.device) -> int | None:
    """Start a new peak; the bytes already allocated (None on a CPU), for `peak_memory`."""
    device = torch.device(device)
    if device.type != "cuda":
        return None
    torch.cuda.reset_peak_memory_stats(device)
    return torch.cuda.memory_allocated(device)


def peak_memory(device: str | torch.device, held: int | None) -> int | None:
    """Bytes of device memory allocated at the peak since the reset, beyond the `held` bytes
    already allocated then (cuBLAS keeps a workspace of tens of MiB once a product ran);
    None on a CPU."""
    device = torch.device(device)
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated(device) - (held or 0)


#: torch.compile, traced for real by TorchDynamo but run by the `eager` backend: it checks that
#: a case compiles (no graph break under fullgraph=True) in a fraction of a second.
cheap_compile = compiling_with("eager")


# exercise modules ---------------------------------------------------------------------------


def load_function(folder: Path, module: str, function: str, role: str) -> Callable[..., Any]:
    """`function` from `folder/module.py`, imported under a name of its own for each role, so
    that the reference and the learner's module live side by side. Import errors propagate."""
    path = Path(folder) / f"{module}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    name = f"_bench_{role}_{module}"
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    found = getattr(loaded, function, None)
    if not callable(found):
        raise AttributeError(f"{path.name} has no function {function}()")
    return found


def reference_folder(project: Project) -> Path:
    return project.solutions


# workloads ----------------------------------------------------------------------------------


def workload(case: Case, device: str | torch.device, function: Callable | None = None) -> Workload:
    """The case's work on `device`: the exercise's `function` called, or the case's own."""
    device = torch.device(device)
    return case.call(function, device) if case.exercise else case.build(device)


def expect(what: str, got: float, expected: float, tolerance: float = 1e-6) -> None:
    if not math.isclose(got, expected, abs_tol=tolerance):
        raise AssertionError(f"{what}: got {got!r}, expected {expected!r} (±{tolerance})")


def check_derivative(result: Any) -> None:
    dydx = result[0] if isinstance(result, tuple) else result
    expect("df/dx at x = 0", float(dydx), EXPECTED_DERIVATIVE)


def check_minimum(result: Any) -> None:
    x = result[0] if isinstance(result, tuple) else result
    expect(f"x after {STEPS} steps", float(x), EXPECTED_X, X_TOLERANCE)


def check_float64_minimum(result: Any) -> None:
    # float64 does not stall: x = 1 − 0.98¹⁰⁰⁰, up to rounding
    expect(f"x after {STEPS} float64 steps", float(result), 1 - (1 - 2 * A * LR) ** STEPS, 1e-12)


def chapter_function() -> Callable[[Tensor], Tensor]:
    return quadratic(A, B, C)


def chapter_call(check: Callable[[Any], None], steps: int = 1) -> Callable[..., Workload]:
    """An exercise case's `call`: the function called as the chapter calls it, on the device:
    at x = 0, or (with `steps`) from x₀ = 0 with lr 0.01."""

    def call(function: Callable[..., Any], device: torch.device) -> Workload:
        f = chapter_function()
        x0 = torch.tensor(X0, device=device)
        if steps > 1:
            return Workload(lambda: function(f, x0, steps=steps, lr=LR), check)
        return Workload(lambda: function(f, x0), check)

    return call


def sgd_while_loop(
    f: Callable[[Tensor], Tensor], *, unroll: int = 1
) -> Callable[[Tensor, Tensor, Tensor], tuple[Tensor, Tensor]]:
    """SGD as one `torch.while_loop`, ready for torch.compile(fullgraph=True).

    The body is functional (x in, x out; no optimiser, no in-place update), as while_loop
    requires. With `unroll` > 1 each iteration takes that many steps, each masked by
    torch.where once the step count is reached, so that any count works; inductor fuses the
    steps of one iteration into one kernel, so the loop runs `unroll` times fewer kernels.
    """
    gradient = torch.func.grad(f)

    def minimise(x: Tensor, steps: Tensor, lr: Tensor) -> tuple[Tensor, Tensor]:
        def more(i: Tensor, x: Tensor) -> Tensor:
            return i < steps

        def step(i: Tensor, x: Tensor) -> tuple[Tensor, Tensor]:
            if unroll == 1:
                return i + 1, x - lr * gradient(x)
            for j in range(unroll):
                x = torch.where(i + j < steps, x - lr * gradient(x), x)
            return i + unroll, x

        _, x = torch.while_loop(more, step, (torch.zeros_like(steps), x))
        return x, f(x)

    return minimise


def sgd_chunk(f: Callable[[Tensor], Tensor], unroll: int, lr: float) -> Callable:
    """`unroll` SGD steps, x in and x out: a straight-line graph to compile and replay."""
    gradient = torch.func.grad(f)

    def chunk(x: Tensor) -> Tensor:
        for _ in range(unroll):
            x = x - lr * gradient(x)
        return x

    return chunk


def while_loop(unroll: int, options: dict | None = None) -> Callable[[torch.device], Workload]:
    """A case's `build`: the chapter's SGD as one compiled `torch.while_loop`."""

    def build(device: torch.device) -> Workload:
        f = chapter_function()
        minimise = torch.compile(sgd_while_loop(f, unroll=unroll), fullgraph=True, options=options)
        x0 = torch.tensor(X0, device=device)
        steps = torch.tensor(STEPS, device=device)
        lr = torch.tensor(LR, device=device)
        return Workload(lambda: minimise(x0, steps, lr), check_minimum)

    return build


def chunks_cuda_graphs(device: torch.device) -> Workload:
    """The chapter's SGD as compiled chunks of `UNROLL` steps, each replayed as a CUDA graph."""
    f = chapter_function()
    x0 = torch.tensor(X0, device=device)
    chunk = torch.compile(sgd_chunk(f, UNROLL, LR), fullgraph=True, mode="reduce-overhead")

    def minimise_in_chunks() -> tuple[Tensor, Tensor]:
        x = x0
        for _ in range(STEPS // UNROLL):
            x = x.clone()  # out of the memory the next replay overwrites
            torch.compiler.cudagraph_mark_step_begin()
            x = chunk(x)
        x = x.clone()
        return x, f(x)

    return Workload(minimise_in_chunks, check_minimum)


def python_floats(a: float, b: float, x: float, *, steps: int = STEPS, lr: float = LR) -> float:
    """The same SGD updates on f(x) = a·x² + b·x + c, in plain Python floats (float64)."""
    for _ in range(steps):
        x -= lr * (2 * a * x + b)
    return x


# results and the ratio table ----------------------------------------------------------------


@dataclass
class Measurement:
    """What one benchmark test found: the fastest steady-state round, the first call (which
    compiles), peak device memory; or why there is nothing."""

    best_s: float | None = None
    first_call_s: float | None = None
    peak_memory_bytes: int | None = None
    skipped: str | None = None

    @property
    def compile_s(self) -> float | None:
        if self.best_s is None or self.first_call_s is None:
            return None
        return max(self.first_call_s - self.best_s, 0.0)


def format_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return f"{ratio:.3g}" if ratio < 10 else f"{ratio:,.0f}"


def break_even(case: Case, eager_s: float, compiled_s: float, compile_s: float) -> float | None:
    """Steps (or calls) after which compiling has paid for itself; inf if it never does."""
    saved = (eager_s - compiled_s) / case.steps
    return compile_s / saved if saved > 0 else math.inf


def _format_count(count: float | None, unit: str) -> str:
    if count is None:
        return "—"
    if math.isinf(count):
        return "never"
    return f"{count:,.0f} {unit}s"


Results = dict[tuple[str, str, str], Measurement]  # (device, case id, impl) -> measurement


def _status(measurement: Measurement | None) -> str | None:
    if measurement is None:
        return "not run"
    if measurement.skipped:
        return measurement.skipped
    return None


def ratio_table(results: Results, device: str) -> list[str]:
    """The ratios of one device's run, as a Markdown table, plus notes below it."""
    if all(key[0] != device for key in results):
        return []
    primary = "reference"
    every = cases()
    by_id = {case.id: case for case in every}

    def get(case: Case, impl: str) -> Measurement | None:
        dev = "cpu" if case.host_only else device
        return results.get((dev, case.id, impl if case.exercise else ""))

    lines = [
        "| scenario | case | time | compiled/eager | speed-up | learner | learner/ref "
        "| compile | break-even |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for scenario in dict.fromkeys(case.scenario for case in every):
        for case in (c for c in every if c.scenario == scenario):
            if case.host_only and device != "cpu" and get(case, primary) is None:
                continue
            if device not in case.devices and not case.host_only:
                continue
            ref = get(case, primary)
            if ref is None:
                continue
            cells = [scenario, case.label]
            if ref.skipped or ref.best_s is None:
                cells += [_status(ref) or "—", *["—"] * 6]
                lines.append("| " + " | ".join(cells) + " |")
                continue
            base = get(by_id[case.baseline], primary) if case.baseline else None
            base_s = base.best_s if base and not base.skipped else None
            ratio = ref.best_s / base_s if base_s else None
            cells += [
                format_time(ref.best_s),
                format_ratio(ratio) if case.baseline else "1",
                (f"{format_ratio(1 / ratio)}×" if ratio else "—") if case.baseline else "1×",
            ]
            if case.exercise:
                mine = get(case, "learner")
                status = _status(mine)
                cells += [
                    format_time(mine.best_s) if status is None else status,
                    format_ratio(mine.best_s / ref.best_s) if status is None else "—",
                ]
            else:
                cells += ["n/a", "n/a"]
            if case.compiled and ref.compile_s is not None:
                cells.append(format_time(ref.compile_s) if ref.compile_s else "≈0 (noise)")
                even = break_even(case, base_s, ref.best_s, ref.compile_s) if base_s else None
                cells.append(_format_count(even, case.per_step_unit))
            else:
                cells += ["—", "—"]
            lines.append("| " + " | ".join(cells) + " |")
    floor = get(by_id[FLOOR], primary)
    eager = get(by_id["ex05-eager"], primary)
    if floor and eager and floor.best_s and eager.best_s and not eager.skipped:
        notes.append(
            f"eager/floor: {STEPS} eager SGD updates (ex05) take "
            f"{format_ratio(eager.best_s / floor.best_s)}× as long as the same updates "
            "on Python floats."
        )
    peaks = [
        f"{case.label}: {m.peak_memory_bytes / 1024:.1f} KiB"
        for case in every
        for m in [get(case, primary)]
        if m and m.peak_memory_bytes is not None
    ]
    if peaks:
        notes.append(
            "peak device memory beyond what was held before (reference): " + "; ".join(peaks)
        )
    return [*lines, "", *notes] if notes else lines


def environment(device: str) -> str:
    """The line that says where a table was measured."""
    if torch.device(device).type == "cuda":
        where = torch.cuda.get_device_name(device) if torch.cuda.is_available() else "no device"
    else:
        where = cpu_model()
    threads = torch.get_num_threads()
    return f"{device}: {where}; torch {torch.__version__}; {threads} threads; {time.strftime('%F')}"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()
