"""The grader's pytest plugin: which submission to grade, how its outcomes read, the board.

Loaded by `-p autodiff_kata.plugin` (pyproject's addopts). Each grader file
tests/graders/test_<module>.py grades the exercise with that module, through the `impl`
fixture: a proxy whose calls run in the exercise's own worker process (autodiff_kata.engine),
so that this process, which decides the verdict, never runs the submission's code. The
plugin turns every outcome into data (results.TestResult) and shows the board.
"""

from __future__ import annotations

from autodiff_kata.engine import warm_up

# The workers' warm parent starts first: it preloads torch while this process imports it too.
warm_up()

import dataclasses  # noqa: E402
import functools  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import threading  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, Phase, settings  # noqa: E402

from autodiff_kata import registry, wording  # noqa: E402
from autodiff_kata.engine import supervisor, warmed_in_worker  # noqa: E402
from autodiff_kata.engine.proxy import (  # noqa: E402
    CompileEvidence,
    ExerciseOutcome,
    ExerciseWorker,
    LearnerModule,
    OperationEvidence,
    SGDEvidence,
    shown,
)
from autodiff_kata.files import write_atomically  # noqa: E402
from autodiff_kata.grading import GradingFailure  # noqa: E402
from autodiff_kata.registry import EXERCISES, Exercise  # noqa: E402
from autodiff_kata.results import ExerciseResult, Kind, Report, Status, TestResult  # noqa: E402

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


class Hooks:
    """What the grading plugin tells other plugins of the run."""

    @pytest.hookspec
    def pytest_autodiff_kata_exercise_graded(
        self, result: ExerciseResult, worker: ExerciseWorker
    ) -> None:
        """An exercise's last test has ended, and its worker, reset as after every test,
        still runs: compare probes the submission there (probe.Prober). The worker is closed
        once this returns; what this raises fails the exercise's last test."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(Hooks)


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
    group.addoption(
        "--exercise-memory",
        type=int,
        default=4096,
        help="MiB of address space an exercise's worker may use (default 4096; 0: no limit).",
    )
    group.addoption(
        "--exercise-output",
        type=int,
        default=10_000_000,
        help="bytes an exercise's worker may print before it is stopped (default 10 MB).",
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
    impl = resolve_impl(config.getoption("impl"), config.rootpath)
    config.pluginmanager.register(KataPlugin(config, impl), "autodiff-kata-grader")


@functools.cache
def _freeze_what_is_loaded() -> None:
    """Torch and the graders stay loaded as long as the process: once, they are moved out of
    the garbage collector's reach, so that a full collection (pytest makes two as a session
    ends, 0.2 s each with torch loaded) walks only what grading made since. First, what the
    oracles import the first time they run is imported: now, while the workers' warm parent
    is still starting, rather than in the first test (in torch 2.13, torch.func.grad imports
    TorchDynamo, 0.5 s, and torch.testing.assert_close torch.distributed.tensor, 0.4 s)."""
    importlib.import_module("torch._dynamo")
    if torch.distributed.is_available():
        importlib.import_module("torch.distributed.tensor")
    gc.freeze()


def exercise_of(item: pytest.Item) -> Exercise | None:
    return registry.for_module(item.path.stem.removeprefix("test_"))


def early_starts(items: list[pytest.Item]) -> dict[str, list[Exercise]]:
    """For each exercise graded (by module), the workers to start while it is graded: the
    next exercise's, and the next one's that has something to prepare (engine.warmed_in_worker:
    it may take longer than one exercise's grading)."""
    graded = list(dict.fromkeys(e for item in items if (e := exercise_of(item)) is not None))
    starts = {}
    for position, exercise in enumerate(graded):
        upcoming = graded[position + 1 :]
        preparing = [e for e in upcoming if warmed_in_worker(e)][:1]
        starts[exercise.module] = list(dict.fromkeys(upcoming[:1] + preparing))
    return starts


class KataPlugin:
    """Grades one submission folder: workers, fixtures, outcomes as data, the board."""

    def __init__(self, config: pytest.Config, impl: Path) -> None:
        self.config = config
        self.folder = impl
        self.results: dict[str, ExerciseResult] = {}
        self.workers: dict[str, ExerciseWorker] = {}
        self.early: dict[str, list[Exercise]] = {}  # by module: whom it starts (early_starts)
        self.reported: set[int] = set()  # the outcomes a test's result already carries
        self.closing: list[threading.Thread] = []
        memory = config.getoption("exercise_memory")
        self.limits = supervisor.Limits(
            seconds=config.getoption("exercise_time_limit"),
            memory_bytes=memory * 2**20 if memory else None,
            output_bytes=config.getoption("exercise_output"),
        )

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
                self.results[exercise.module] = ExerciseResult(exercise)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.early = early_starts(session.items)
        _freeze_what_is_loaded()

    # fixtures --------------------------------------------------------------------------

    @pytest.fixture
    def compile_recorder(self) -> CompileEvidence:
        return CompileEvidence()

    @pytest.fixture
    def sgd_recorder(self) -> SGDEvidence:
        return SGDEvidence()

    @pytest.fixture
    def operation_recorder(self) -> OperationEvidence:
        return OperationEvidence()

    @pytest.fixture
    def impl(
        self,
        request: pytest.FixtureRequest,
        compile_recorder: CompileEvidence,
        sgd_recorder: SGDEvidence,
        operation_recorder: OperationEvidence,
    ) -> Iterator[LearnerModule]:
        """The submission's module for this grader's exercise, in the exercise's worker."""
        exercise = exercise_of(request.node)
        if exercise is None:
            raise pytest.UsageError(f"{request.node.path.name} grades no exercise in the registry")
        worker = self.workers.get(exercise.module) or self._started(exercise)
        for early in self.early.get(exercise.module, []):
            if early.module not in self.workers:
                self._started(early)
        yield LearnerModule(worker, compile_recorder, sgd_recorder, operation_recorder)
        worker.reset()

    def _started(self, exercise: Exercise) -> ExerciseWorker:
        file = self.folder / exercise.filename
        worker = ExerciseWorker(exercise, file, self.limits, torch.cuda.is_available())
        worker.start()
        self.workers[exercise.module] = worker
        return worker

    # outcomes --------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        exercise = exercise_of(item)
        worker = self.workers.get(exercise.module) if exercise else None
        if worker is not None and worker.settled is not None:
            if id(worker.settled) not in self.reported:  # it came between tests: it fails this one
                raise worker.settled
            pytest.skip(f"exercise {exercise.number:02d}: {worker.settled.outcome.status.value}")

    def pytest_runtest_teardown(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """An exercise's worker ends with its last test: nothing it started outlives it."""
        exercise = exercise_of(item)
        if exercise is None:
            return
        following = exercise_of(nextitem) if nextitem is not None else None
        if following != exercise and exercise.module in self.workers:
            worker = self.workers[exercise.module]
            result = self.results[exercise.module]
            self.config.hook.pytest_autodiff_kata_exercise_graded(result=result, worker=worker)
            # Taken down beside the next exercise's tests; the session waits for it at its end.
            closing = threading.Thread(target=worker.close, daemon=True)
            closing.start()
            self.closing.append(closing)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        report = yield
        exercise = exercise_of(item)
        if exercise is None or report.skipped or (report.passed and report.when != "call"):
            return report
        error = call.excinfo.value if call.excinfo else None
        duration = round(report.duration, 3)
        if report.passed:
            outcome = TestResult(item.name, Kind.PASSED, duration=duration)
        elif isinstance(error, ExerciseOutcome):
            self.reported.add(id(error))
            hint = "\n".join(getattr(error, "__notes__", []))
            outcome = dataclasses.replace(
                error.outcome, name=item.name, hint=hint, mistake=error.mistake, duration=duration
            )
            report.longrepr = _with_notes(str(error), error)
        elif isinstance(error, GradingFailure):
            report.longrepr = _with_notes(str(error), error)
            outcome = TestResult(item.name, Kind.WRONG, report.longrepr,
                                 mistake=error.mistake, duration=duration)  # fmt: skip
        else:
            detail = f"{type(error).__name__}: {error}" if error else str(report.longrepr)
            outcome = TestResult(item.name, Kind.WRONG, detail, duration=duration)
        self.results[exercise.module].tests.append(outcome)
        return report

    def report(self) -> Report:
        order = sorted(self.results.values(), key=lambda e: e.exercise.number)
        return Report(impl=str(self.folder), exercises=order)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> Iterator[None]:
        """The board, after pytest's own summary (the FAILED lines), so it is what stays in
        sight."""
        yield
        report = self.report()
        if not report.exercises:
            return
        tr = terminalreporter
        tr.section(f"autodiff kata: {shown(self.folder)}", sep="=", bold=True)
        for part, results in report.parts().items():
            tr.write_line(wording.part_heading(part, results), bold=True)
            for result in results.exercises:
                passed = result.status == Status.PASSED
                line = f" {'✓' if passed else '✗'} {result.exercise.label}"
                if not passed:
                    stub = result.status == Status.NOT_IMPLEMENTED
                    what = "" if stub else wording.summary(result.first)
                    line += f" — {result.status.value}" + (f": {what}" if what else "")
                tr.write_line(line, green=passed, red=not passed)
        total = len(report.exercises)
        tr.write_line(f"{report.passed}/{total} exercises pass", bold=True)
        upcoming = next((e for e in report.exercises if e.status != Status.PASSED), None)
        if upcoming:
            module = shown(self.folder / upcoming.exercise.filename)
            tr.write_line(f"next: {upcoming.exercise.label} — open {module}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for closing in self.closing:
            closing.join()
        for worker in self.workers.values():
            worker.close()
        report = self.report()
        path = self.config.getoption("results_json")
        if path:
            write_atomically(Path(path), json.dumps(report.to_dict(), indent=2) + "\n")
        graded = [e for e in report.exercises if e.tests]
        if session.exitstatus == 0 and any(e.status != Status.PASSED for e in graded):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _with_notes(text: str, error: BaseException) -> str:
    return "\n".join([text, *getattr(error, "__notes__", [])])
