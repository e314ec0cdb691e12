"""Run one submission's exercises side by side with the reference's, on fixed inputs.

Run as `python -m autodiff_kata.compare.probe` in a subprocess per submission (see
`batch.probe`): the submission's code is untrusted, so this process is the one that may
hang, crash or be killed. For each exercise it loads the submission's module and the
reference's (each through the grader's guarded loader), calls both on the same fixed inputs,
and writes one JSON line: the largest |submission − reference| over every output, and the
speed ratio submission/reference on a short fixed workload, timed alternately in this same
process (median of a few repetitions). Graph-mode code compiles with the cheap `aot_eager`
backend, as in grading: inductor is never invoked.

A line `{"start": module}` goes out before each exercise, so that the parent knows which one
a dead process was on.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import signal
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPETITIONS = 7


@dataclass
class Probe:
    """What the probe found for one exercise of one submission."""

    module: str
    deviation: float | None = None  # max |submission − reference|; inf: outputs differ in shape
    speed_ratio: float | None = None  # submission time / reference time, same workload
    note: str = ""  # why a figure is missing, in a few words

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Probe:
        deviation = data.get("deviation")
        return cls(
            module=data["module"],
            deviation=math.inf if deviation == "inf" else deviation,
            speed_ratio=data.get("speed_ratio"),
            note=data.get("note", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.deviation is not None and math.isinf(self.deviation):
            data["deviation"] = "inf"
        return data


@dataclass
class Case:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class Workload:
    cases: list[Case]  # every output compared with the reference's
    timed: Case  # the call timed
    calls: int  # how many times per repetition


def workloads() -> dict[str, Workload]:
    """The fixed inputs of each exercise, by exercise name (see exercises.toml)."""
    import torch

    from autodiff_kata.functions import (
        Fn,
        FnOfConstants,
        Term,
        chapter_quadratic_of_constants,
        quadratic,
    )

    wavy = Fn((Term("sin", 1.5, 0.8, 0.3), Term("x**2", 0.5), Term("tanh", -1.2, 1.1)))
    bowl = Fn((Term("x**2", 0.7, 1.0, 0.4), Term("softplus", 1.3, 0.9, -0.5)))
    of_constants = FnOfConstants(
        scaled=((0, 2, Term("sin", 1.0, 1.2)), (2, 1, Term("x"))), rest=(), n_constants=3
    )
    t = torch.tensor
    chapter = quadratic(1, 2, 3)
    minimise = [
        Case((quadratic(1, -2, 1), t(0.0)), {}),  # the chapter's 1000 steps
        Case((bowl, t([0.5, -1.0, 2.0])), {"steps": 100, "lr": 0.05}),
        Case((wavy, t(1.0, dtype=torch.float64)), {"steps": 50, "lr": 0.1}),
    ]
    minimise_timed = Case((bowl, t([0.5, -1.0, 2.0])), {"steps": 50, "lr": 0.05})
    return {
        "first_derivative": Workload(
            [
                Case((chapter, t(0.0)), {}),
                Case((wavy, t([-1.5, 0.0, 0.7])), {}),
                Case((wavy, t([[0.25, -0.5], [1.0, 2.0]], dtype=torch.float64)), {}),
            ],
            Case((wavy, t([-1.5, 0.0, 0.7])), {}),
            200,
        ),
        "gradients_wrt_constants": Workload(
            [
                Case((chapter_quadratic_of_constants(), t(0.0), t(1.0), t(2.0), t(3.0)), {}),
                Case((of_constants, t([0.3, -0.8]), t(1.5), t(-0.5), t(2.0)), {}),
            ],
            Case((of_constants, t([0.3, -0.8]), t(1.5), t(-0.5), t(2.0)), {}),
            200,
        ),
        "second_derivative": Workload(
            [
                Case((chapter, t(0.0)), {}),
                Case((wavy, t(0.7)), {}),
                Case((quadratic(0, 3, 1), t(1.0)), {}),  # linear: zero
                Case((wavy, t(-0.4, dtype=torch.float64)), {}),
            ],
            Case((wavy, t(0.7)), {}),
            200,
        ),
        "derivative_in_graph_mode": Workload(
            [
                Case((quadratic(1, -2, 1), 0.0), {}),
                Case((quadratic(1, -2, 1), 1.0), {}),
                Case((wavy, t([0.5, -1.0])), {}),
            ],
            Case((quadratic(1, -2, 1), t(1.0)), {}),
            50,
        ),
        "minimise_with_gradients": Workload(minimise, minimise_timed, 1),
        "minimise_with_closure": Workload(minimise, minimise_timed, 1),
        "minimise_with_gradients_in_graph_mode": Workload(minimise, minimise_timed, 1),
        "minimise_with_closure_in_graph_mode": Workload(minimise, minimise_timed, 1),
    }


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, tuple | list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def deviation(got: Any, expected: Any) -> float:
    """max |got − expected| over every tensor or number in the two outputs; inf if their
    structure or shapes differ, or only one of them is NaN somewhere."""
    import torch

    got_leaves, expected_leaves = _leaves(got), _leaves(expected)
    if len(got_leaves) != len(expected_leaves):
        return math.inf
    worst = 0.0
    for a, b in zip(got_leaves, expected_leaves, strict=True):
        try:
            a = torch.as_tensor(a).detach().to("cpu", torch.float64)
            b = torch.as_tensor(b).detach().to("cpu", torch.float64)
        except (TypeError, ValueError, RuntimeError):
            return math.inf
        if a.shape != b.shape:
            return math.inf
        if a.numel() == 0:
            continue
        both_nan = a.isnan() & b.isnan()
        difference = (a - b).abs().masked_fill(both_nan, 0.0).nan_to_num(nan=math.inf)
        worst = max(worst, difference.max().item())
    return worst


def _call(function: Callable[..., Any], case: Case) -> Any:
    """Call on copies of the inputs: a submission that changes them in place changes no other."""
    return function(*copy.deepcopy(case.args), **case.kwargs)


def _time(function: Callable[..., Any], case: Case, calls: int) -> float:
    inputs = [copy.deepcopy(case.args) for _ in range(calls)]
    start = time.perf_counter()
    for args in inputs:
        function(*args, **case.kwargs)
    return time.perf_counter() - start


def speed_ratio(theirs: Callable[..., Any], ours: Callable[..., Any], work: Workload) -> float:
    """Median over repetitions of (their time / our time), the two timed back to back, in
    alternating order, so that whatever else the machine does weighs on both alike."""
    ratios = []
    for repetition in range(REPETITIONS):
        if repetition % 2:
            ours_time = _time(ours, work.timed, work.calls)
            their_time = _time(theirs, work.timed, work.calls)
        else:
            their_time = _time(theirs, work.timed, work.calls)
            ours_time = _time(ours, work.timed, work.calls)
        ratios.append(their_time / max(ours_time, 1e-9))
    return statistics.median(ratios)


def _first_line(error: BaseException) -> str:
    """The line of an error that says what went wrong (its last), in a few words."""
    if "can't allocate memory" in str(error) or "MemoryError" in str(error):
        return "out of memory"
    text = str(error).strip().splitlines()
    return (text[-1] if text else type(error).__name__)[:200]


def probe_exercise(exercise: Any, submission: Path, reference: Path, time_limit: float) -> Probe:
    import torch

    from autodiff_kata.loader import ExerciseOutcome, LearnerModule, NotImplementedYet

    result = Probe(exercise.module)
    work = workloads().get(exercise.name)
    if work is None:
        result.note = "no probe for this exercise"
        return result
    name = exercise.functions[0]
    try:
        ours = LearnerModule(exercise, reference / exercise.filename, time_limit)
        ours_function = getattr(ours, name)
        # The loader registers each module under one name; keep the reference's apart.
        sys.modules[f"_reference_{exercise.module}"] = sys.modules.pop(
            f"_submission_{exercise.module}", None
        )
    except ExerciseOutcome as error:
        result.note = f"reference failed: {_first_line(error)}"
        return result
    try:
        theirs = getattr(LearnerModule(exercise, submission / exercise.filename, time_limit), name)
        worst = 0.0
        for case in work.cases:
            torch.manual_seed(0)
            expected = _call(ours_function, case)
            torch.manual_seed(0)
            worst = max(worst, deviation(_call(theirs, case), expected))
        result.deviation = worst
        result.speed_ratio = speed_ratio(theirs, ours_function, work)
    except NotImplementedYet:
        result.note = "not implemented"
    except ExerciseOutcome as error:
        result.note = _first_line(error)
    return result


def _compile_with_aot_eager() -> None:
    """torch.compile(..., backend="aot_eager") whatever the submission asks for."""
    import torch

    from autodiff_kata.spies import compiling_with

    aot_eager = compiling_with("aot_eager")

    def compile(model: Any = None, **options: Any) -> Any:
        import torch._dynamo  # imported on first use: a second of startup saved otherwise

        torch._dynamo.config.recompile_limit = 10_000
        torch._dynamo.config.accumulated_recompile_limit = 10_000
        return aot_eager(model, **options)

    torch.compile = compile


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autodiff_kata.compare.probe")
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("modules", nargs="+")
    args = parser.parse_args(argv)

    if hasattr(signal, "SIGXFSZ"):  # past the output limit, stop (as the grading plugin does)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)

    import torch

    from autodiff_kata.registry import find

    torch.set_num_threads(1)  # steadier timings; jobs run side by side
    _compile_with_aot_eager()
    with args.results.open("a") as out:
        for module in args.modules:
            exercise = find(module)
            out.write(json.dumps({"start": module, "since": time.time()}) + "\n")
            out.flush()
            result = probe_exercise(exercise, args.submission, args.reference, args.time_limit)
            out.write(json.dumps(result.to_dict()) + "\n")
            out.flush()
            if "torch._dynamo" in sys.modules:
                sys.modules["torch._dynamo"].reset()
    return 0


if __name__ == "__main__":
    sys.exit(main())
