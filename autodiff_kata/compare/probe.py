"""How far a submission's outputs are from the reference's, and how fast its code runs.

Both modules run in engine workers, the same kind of process, so their timings compare like
with like: the submission's in the worker its exercise was just graded in (`Prober`), reset as
after every test, the reference's in a worker per exercise loaded once per grading session
(`Reference`), its outputs on the fixed inputs and its time on the timed call measured once,
before any submission runs (its code and inputs never change). This side sends the submission
the same inputs, computes the largest difference from the decoded outputs, and asks its worker
to time the same call (the `time` request); the figure is the ratio of the two medians over a
few repetitions. Graph-mode code compiles with the `eager` backend, as most of grading does:
TorchDynamo traces it, the captured graph runs as it is, and inductor is never invoked
(`aot_eager` cost each graph-mode exercise's probe 0.1-0.4 s more, for the same figures).
"""

from __future__ import annotations

import copy
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from autodiff_kata import wording
from autodiff_kata.registry import Exercise
from autodiff_kata.results import ExerciseResult, Kind, Status, TestResult

REPETITIONS = 3  # the speed shown is beyond 5x or 0.2x: three timings tell
BACKEND = "eager"
ANSWERED = {Status.PASSED, Status.FAILED, Status.NOT_RUN}  # worth probing


@dataclass
class Probe:
    """What the probe found for one exercise of one submission."""

    module: str
    deviation: float | None = None  # max |submission − reference|; inf: outputs differ in shape
    speed_ratio: float | None = None  # submission time / reference time, same workload
    note: str = ""  # why a figure is missing, in a few words


@dataclass
class Case:
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass
class Workload:
    cases: list[Case]  # every output compared with the reference's
    timed: Case  # the call timed
    calls: int  # how many times per repetition


@cache
def workloads() -> dict[str, Workload]:
    """The fixed inputs of each exercise that has a probe, by exercise name: each exercise's
    PROBE, in autodiff_kata/workloads/<module>.py."""
    from autodiff_kata.registry import EXERCISES

    found = {e.name: e.workloads().PROBE for e in EXERCISES}
    return {name: work for name, work in found.items() if work is not None}


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


# workers --------------------------------------------------------------------------------


class _Failed(Exception):
    """A side of the probe gave no figure; `note` says why, in a few words."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


class _Side:
    """One exercise's module in its worker, with a budget of time in its code."""

    def __init__(self, worker: Any, seconds: float, label: str = "") -> None:
        from autodiff_kata.engine.proxy import (
            CompileEvidence,
            LearnerModule,
            OperationEvidence,
            SGDEvidence,
        )

        compiles = CompileEvidence()
        compiles.backend_name = BACKEND
        self.worker = worker
        self.module = LearnerModule(worker, compiles, SGDEvidence(), OperationEvidence())
        self.seconds = seconds  # left for the timed runs
        self.label = label

    def _fails(self, outcome: TestResult) -> _Failed:
        return _Failed(self.label + (wording.summary(outcome) or outcome.kind.value))

    def answer(self, name: str, case: Case) -> Any:
        """The function's output for a copy of the case's inputs, decoded (its values alone:
        the probe reads no evidence of method)."""
        from autodiff_kata.engine.proxy import ExerciseOutcome

        try:
            with self.module.values_only():
                return getattr(self.module, name)(*copy.deepcopy(case.args), **case.kwargs)
        except ExerciseOutcome as error:
            raise self._fails(error.outcome) from None

    def time(self, name: str, case: Case, calls: int) -> float:
        """Seconds for `calls` calls, as the worker measured them."""
        from autodiff_kata.engine.proxy import ExerciseOutcome

        request = {"op": "time", "function": name, "args": case.args, "kwargs": case.kwargs,
                   "calls": calls, "seconds": self.seconds}  # fmt: skip
        started = time.monotonic()
        try:
            reply = self.worker.request(request, self.seconds)
        except ExerciseOutcome as error:
            raise self._fails(error.outcome) from None
        elapsed = time.monotonic() - started
        self.seconds -= elapsed
        if reply.get("kind") != "ok":
            raise self._fails(self.worker.from_reply(reply, name).outcome)
        seconds = reply.get("seconds")
        if type(seconds) is not float or not 0 <= seconds <= elapsed:
            raise self._fails(TestResult("", Kind.UNREADABLE))
        return seconds


class Reference:
    """The reference's figures for each exercise probed, measured once per grading session
    (`load`), before any submission runs: its outputs on the fixed inputs and its time on
    the timed call, each exercise in a worker of its own, closed once measured."""

    def __init__(self, folder: Path, exercises: Sequence[Exercise], limits: Any) -> None:
        self.folder = folder
        self.limits = limits
        self.exercises = {e.module: e for e in exercises if e.name in workloads()}
        self.outputs: dict[str, list[Any] | _Failed] = {}
        self.seconds: dict[str, float | _Failed] = {}

    def load(self) -> None:
        """Measure every exercise now; what stops one becomes its probe's note. (Its worker
        is never sent a "reset": restoring torch's state sets a default device, which slows
        every later call, and a submission's worker is never reset.)"""
        from autodiff_kata.engine.proxy import ExerciseWorker

        for module, exercise in self.exercises.items():
            work = workloads()[exercise.name]
            worker = ExerciseWorker(exercise, self.folder / exercise.filename, self.limits, False)
            name = exercise.functions[0]
            try:
                side = _Side(worker, self.limits.seconds, "reference: ")
                try:
                    self.outputs[module] = [side.answer(name, case) for case in work.cases]
                except _Failed as failed:
                    self.outputs[module] = failed
                side = _Side(worker, self.limits.seconds, "reference: ")
                try:
                    self.seconds[module] = median_time(side, exercise, work)
                except _Failed as failed:
                    self.seconds[module] = failed
            finally:
                worker.close()

    def expected(self, module: str) -> list[Any]:
        """The reference's output for each of the exercise's fixed cases."""
        return _measured(self.outputs[module])

    def time(self, module: str) -> float:
        """The reference's time on the exercise's timed call."""
        return _measured(self.seconds[module])


def _measured(found: Any) -> Any:
    if isinstance(found, _Failed):
        raise found
    return found


def median_time(side: _Side, exercise: Exercise, work: Workload) -> float:
    """The median of REPETITIONS timings of the workload's timed call, in `side`'s worker."""
    name = exercise.functions[0]
    return statistics.median(side.time(name, work.timed, work.calls) for _ in range(REPETITIONS))


def probe_exercise(exercise: Exercise, file: Path, reference: Reference, limits: Any) -> Probe:
    """Deviation and speed of the module in `file` against the reference's, for one
    exercise, in a fresh worker of its own."""
    from autodiff_kata.engine.proxy import ExerciseWorker

    worker = ExerciseWorker(exercise, file, limits, False)
    try:
        return probe_worker(exercise, worker, reference, limits)
    finally:
        worker.close()


def probe_worker(exercise: Exercise, worker: Any, reference: Reference, limits: Any) -> Probe:
    """Deviation and speed of the module loaded in `worker`, an ExerciseWorker, against the
    reference's, for one exercise. Whatever stops either side becomes the note."""
    result = Probe(exercise.module)
    work = workloads().get(exercise.name)
    if work is None:
        result.note = "no probe for this exercise"
        return result
    name = exercise.functions[0]
    try:
        expected = reference.expected(exercise.module)
        theirs = _Side(worker, limits.seconds)
        worst = 0.0
        for case, output in zip(work.cases, expected, strict=True):
            worst = max(worst, deviation(theirs.answer(name, case), output))
        result.deviation = worst
        ours = reference.time(exercise.module)
        result.speed_ratio = median_time(theirs, exercise, work) / max(ours, 1e-9)
    except _Failed as failed:
        result.note = failed.note
    return result


class Prober:
    """Probes each exercise that ran to an answer in the worker it was graded in, as its last
    test ends, with the worker reset as after every test: no second worker to start for it.
    A pytest plugin, given to runner.grade; the grading plugin calls its hook."""

    def __init__(self, reference: Reference, limits: Any) -> None:
        self.reference = reference
        self.limits = limits
        self.found: dict[str, Probe] = {}  # by module

    def pytest_autodiff_kata_exercise_graded(self, result: ExerciseResult, worker: Any) -> None:
        exercise = result.exercise
        if result.status not in ANSWERED:
            return
        try:
            self.found[exercise.module] = probe_worker(
                exercise, worker, self.reference, self.limits
            )
        except Exception as error:  # a bug of ours: the figures are lost, never the verdict
            self.found[exercise.module] = Probe(exercise.module, note=type(error).__name__)
