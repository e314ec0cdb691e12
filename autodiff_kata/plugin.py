"""The grader's pytest plugin: which submission to grade, how its outcomes read, the board.

Loaded by `-p autodiff_kata.plugin` (pyproject's addopts). Each grader file
tests/graders/test_<module>.py grades the exercise with that module, through the `impl`
fixture; the plugin turns every outcome into a line a learner can act on.
"""

from __future__ import annotations

import importlib
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, Phase, settings

from autodiff_kata import registry
from autodiff_kata.grading import GradingFailure
from autodiff_kata.loader import (
    ExerciseLoadError,
    ExerciseOutcome,
    ExerciseTimedOut,
    LearnerModule,
    NotImplementedYet,
    shown,
)
from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import ExerciseResult, Report, Running, Status, TestResult
from autodiff_kata.spies import CompileRecorder, SGDRecorder

settings.register_profile(
    "grading",
    deadline=None,  # first calls into torch (and compiles) are slow; hangs are the guard's job
    derandomize=True,  # the same code gets the same grade on every run
    database=None,
    print_blob=False,
    max_examples=12,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no "explain": terse
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("grading")

# The first test of an exercise that ends like this speaks for the rest, which are skipped.
_SETTLES_EXERCISE = {
    NotImplementedYet: Status.NOT_IMPLEMENTED,
    ExerciseLoadError: Status.ERROR,
    ExerciseTimedOut: Status.TIMEOUT,
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autodiff-kata")
    group.addoption(
        "--impl",
        default="kata",
        help="folder of exercise modules to grade: kata (default), solutions, or any "
        "submission (a folder of the modules, or a checkout holding kata/).",
    )
    group.addoption(
        "--results-json", default=None, help="write the per-exercise results to this file."
    )
    group.addoption(
        "--exercise-time-limit",
        type=float,
        default=30.0,
        help="seconds one grader test may spend in the submission's code (default 30).",
    )


def resolve_impl(value: str, rootpath: Path) -> Path:
    """The folder of exercise modules that `--impl value` names, else a UsageError."""
    candidates = [Path(value)] if Path(value).is_absolute() else [Path(value), rootpath / value]
    for folder in candidates:
        if folder.is_dir():
            folder = folder.resolve()
            has_modules = any((folder / e.filename).exists() for e in EXERCISES)
            if not has_modules and (folder / "kata").is_dir():
                return folder / "kata"
            return folder
    raise pytest.UsageError(
        f"--impl {value}: no such folder. Give kata, solutions, or the path of a folder "
        "holding the exercise modules (ex01_first_derivative.py ...)."
    )


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(signal, "SIGXFSZ"):
        # Python ignores SIGXFSZ, so a write past the runner's output limit (RLIMIT_FSIZE)
        # would raise inside the submission's own print, once per example, slowly. The
        # default action stops the process there, and the runner reports "too much output".
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    impl = resolve_impl(config.getoption("impl"), config.rootpath)
    config.pluginmanager.register(KataPlugin(config, impl), "autodiff-kata-grader")


def exercise_of(item: pytest.Item) -> Exercise | None:
    return registry.for_module(item.path.stem.removeprefix("test_"))


def _dynamo() -> object | None:
    """torch._dynamo if anything has imported it yet: there is no state to restore otherwise."""
    return sys.modules.get("torch._dynamo")


def _restore_dynamo_config(saved: dict[str, object]) -> None:
    config = _dynamo().config
    now = config.get_config_copy()
    for key, value in saved.items():
        if now[key] != value:
            setattr(config, key, value)


class KataPlugin:
    """Grades one submission folder: fixtures, outcome classification, board and results.json."""

    def __init__(self, config: pytest.Config, impl: Path) -> None:
        self.config = config
        self.folder = impl
        self.results: dict[str, ExerciseResult] = {}
        self.settled: dict[str, str] = {}  # exercise module -> why its other tests are skipped
        self.running: Running | None = None

    def pytest_report_header(self) -> str:
        cuda = torch.cuda.get_device_name() if torch.cuda.is_available() else "no CUDA device"
        return f"grading: {self.folder}  (torch {torch.__version__}, {cuda})"

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Run the exercises in course order; other tests (self-checks) after them."""
        order = {e.module: e.number for e in EXERCISES}

        def position(item: pytest.Item) -> int:
            exercise = exercise_of(item)
            return order[exercise.module] if exercise else len(order) + 1

        items.sort(key=position)
        for item in items:
            exercise = exercise_of(item)
            if exercise and exercise.module not in self.results:
                self.results[exercise.module] = ExerciseResult(
                    exercise.number, exercise.name, exercise.title, exercise.module
                )

    # fixtures --------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _isolated_torch_state(self) -> Iterator[None]:
        """Whatever a submission sets globally is undone before the next test."""
        grad_enabled = torch.is_grad_enabled()
        default_dtype = torch.get_default_dtype()
        default_device = torch.get_default_device()
        anomaly = torch.is_anomaly_enabled()
        deterministic = torch.are_deterministic_algorithms_enabled()
        threads = torch.get_num_threads()
        dynamo_config = _dynamo().config.get_config_copy() if _dynamo() else None
        rng = torch.random.get_rng_state()
        torch.manual_seed(0)
        yield
        torch.set_grad_enabled(grad_enabled)
        torch.set_default_dtype(default_dtype)
        torch.set_default_device(default_device)
        torch.set_anomaly_enabled(anomaly)
        if torch.are_deterministic_algorithms_enabled() != deterministic:  # costly to call
            torch.use_deterministic_algorithms(deterministic)
        torch.set_num_threads(threads)
        if dynamo_config is not None:
            _restore_dynamo_config(dynamo_config)
        torch.random.set_rng_state(rng)
        if _dynamo():
            _dynamo().reset()

    @pytest.fixture
    def compile_recorder(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[CompileRecorder]:
        recorder = CompileRecorder()
        monkeypatch.setattr(torch, "compile", recorder.compile)
        # Hypothesis hands each example a new function: each is a recompile, and must not
        # reach the limit past which dynamo silently falls back to eager.
        with _dynamo().config.patch(recompile_limit=10_000, accumulated_recompile_limit=10_000):
            yield recorder

    @pytest.fixture
    def sgd_recorder(self, monkeypatch: pytest.MonkeyPatch) -> SGDRecorder:
        recorder = SGDRecorder()
        monkeypatch.setattr(torch.optim, "SGD", recorder.cls)
        monkeypatch.setattr(importlib.import_module("torch.optim.sgd"), "SGD", recorder.cls)
        return recorder

    @pytest.fixture
    def impl(
        self, request: pytest.FixtureRequest, sgd_recorder: SGDRecorder
    ) -> Iterator[LearnerModule]:
        """The submission's module for this grader's exercise, loaded after the spies (the
        compile spy for graph-mode exercises only: the others never pay for TorchDynamo)."""
        exercise = exercise_of(request.node)
        if exercise is None:
            raise pytest.UsageError(f"{request.node.path.name} grades no exercise in the registry")
        if exercise.graph_mode:
            request.getfixturevalue("compile_recorder")
        limit = self.config.getoption("exercise_time_limit")
        module = LearnerModule(exercise, self.folder / exercise.filename, limit)
        yield module
        module.unload()

    # outcomes --------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        exercise = exercise_of(item)
        if exercise and exercise.module in self.settled:
            pytest.skip(self.settled[exercise.module])
        if exercise:
            self.running = Running(exercise.module, item.name, time.time())
            self.write_results()

    def pytest_runtest_logfinish(self) -> None:
        self.running = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        report = yield
        exercise = exercise_of(item)
        if exercise is None or report.skipped or (report.passed and report.when != "call"):
            return report
        error = call.excinfo.value if call.excinfo else None
        status = Status.PASSED
        message = ""
        if report.failed:
            if isinstance(error, ExerciseOutcome | GradingFailure):
                message = "\n".join([str(error), *getattr(error, "__notes__", [])])
                report.longrepr = message
            else:
                message = str(error) if error else str(report.longrepr)
            status = _SETTLES_EXERCISE.get(type(error), Status.FAILED)
            if status in _SETTLES_EXERCISE.values():
                self.settled[exercise.module] = f"exercise {exercise.number:02d}: {status.value}"
        self.results[exercise.module].tests.append(
            TestResult(item.name, status, message, round(report.duration, 3))
        )
        return report

    def report(self) -> Report:
        order = sorted(self.results.values(), key=lambda e: e.number)
        return Report(impl=str(self.folder), exercises=order, running=self.running)

    def write_results(self) -> None:
        """Written as each test starts and at the end, so that a runner watching this file
        knows which exercise a dead or hung process was grading."""
        path = self.config.getoption("results_json")
        if path:
            self.report().write(Path(path))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        report = self.report()
        if not report.exercises:
            return
        tr = terminalreporter
        tr.section(f"autodiff kata: {shown(self.folder)}", sep="=", bold=True)
        for result in report.exercises:
            mark = "✓" if result.status == Status.PASSED else "✗"
            line = f" {mark} {result.number:02d} {result.title}"
            if result.status != Status.PASSED:
                first = result.message.splitlines()[0] if result.message else ""
                detail = first.split(": ", 1)[-1] if result.status != Status.FAILED else first
                line += f" — {result.status.value}" + (
                    f": {detail}" if detail and result.status != Status.NOT_IMPLEMENTED else ""
                )
            tr.write_line(line, green=result.status == Status.PASSED, red=mark == "✗")
        total = len(report.exercises)
        tr.write_line(f"{report.passed}/{total} exercises pass", bold=True)
        upcoming = next((e for e in report.exercises if e.status != Status.PASSED), None)
        if upcoming:
            module = shown(self.folder / f"{upcoming.module}.py")
            tr.write_line(f"next: {upcoming.number:02d} {upcoming.title} — open {module}")

    def pytest_sessionfinish(self) -> None:
        self.running = None
        self.write_results()
