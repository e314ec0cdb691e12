"""Grade a submission in pytest subprocesses that may die without taking the run with them.

The grader's own guard turns exceptions and Python-level hangs into results. What it cannot
catch — a hard exit, a segfault, a hang inside native code, a blown memory limit — kills or
stalls the process. The runner watches the results file the plugin keeps up to date: when
the process dies or a test overruns, the exercise it was grading is marked crashed or timed
out, and the exercises still to grade run in a fresh process.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autodiff_kata.registry import EXERCISES, PROJECT_ROOT, Exercise
from autodiff_kata.results import ExerciseResult, Report, Status, TestResult


@dataclass
class Limits:
    """Per-test time (the grader's guard, then the watchdog's kill), memory and output caps."""

    test_seconds: float = 30.0
    memory_bytes: int | None = None
    output_bytes: int = 20_000_000
    kill_grace_seconds: float = 15.0


@dataclass
class Graded:
    report: Report
    output: str = ""  # pytest's own output, last part
    returncodes: list[int] = field(default_factory=list)


def grader_path(exercise: Exercise, root: Path = PROJECT_ROOT) -> Path:
    return root / "tests" / "graders" / f"test_{exercise.module}.py"


def limit_child(limits: Limits) -> None:
    """Runs in the child before exec: caps its memory and the size of files it writes."""
    os.setsid()
    if limits.memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))


def _pytest_command(
    root: Path,
    impl: Path,
    exercises: Sequence[Exercise],
    results: Path,
    limits: Limits,
    extra_args: Sequence[str],
) -> list[str]:
    return [
        sys.executable, "-m", "pytest",
        "-c", str(root / "pyproject.toml"),
        "--rootdir", str(root),
        "-p", "no:cacheprovider",
        "-q", "--no-header",
        f"--impl={impl}",
        f"--results-json={results}",
        f"--exercise-time-limit={limits.test_seconds}",
        *extra_args,
        *(str(grader_path(e, root)) for e in exercises),
    ]  # fmt: skip


def grade(
    impl: Path,
    exercises: Sequence[Exercise] = EXERCISES,
    *,
    limits: Limits | None = None,
    extra_args: Sequence[str] = (),
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    root: Path = PROJECT_ROOT,
) -> Graded:
    """Grade `exercises` of the submission in `impl` with the graders of the project at
    `root`: one result per exercise, whatever happens."""
    limits = limits or Limits()
    impl = impl.resolve()
    done: dict[str, ExerciseResult] = {}
    output: list[str] = []
    returncodes: list[int] = []
    with tempfile.TemporaryDirectory(prefix="autodiff-kata-") as scratch:
        workdir = cwd or Path(scratch)
        # An exercise without a grader has nothing to run; pytest would exit 4 over it.
        pending = [e for e in exercises if grader_path(e, root).is_file()]
        while pending:
            results = Path(scratch) / f"results-{len(returncodes)}.json"
            log = Path(scratch) / f"output-{len(returncodes)}.txt"
            command = _pytest_command(root, impl, pending, results, limits, extra_args)
            with log.open("wb") as sink:
                process = subprocess.Popen(
                    command, cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, preexec_fn=lambda: limit_child(limits),
                )  # fmt: skip
                try:
                    overran = _watch(process, results, limits)
                except BaseException:  # Ctrl-C: the child has its own session, so stop it too
                    kill(process)
                    raise
            returncodes.append(process.returncode)
            output.append(log.read_bytes()[-20_000:].decode(errors="replace"))
            report = _read(results)
            unfinished = report.running if report else None
            clean = process.returncode in (0, 1) and not overran and not unfinished
            for result in report.exercises if report else []:
                if result.tests or clean:  # tests run in course order: these are complete
                    done[result.module] = result
            if clean:
                for exercise in pending:  # whatever was not collected did not run
                    done.setdefault(exercise.module, _empty(exercise))
                break
            # The process died or stalled: blame the exercise it was on, or the first pending.
            culprit = unfinished.module if unfinished else pending[0].module
            status = Status.TIMEOUT if overran else Status.CRASHED
            why = _death(process.returncode, overran, limits, output[-1])
            result = done.get(culprit) or _empty(next(e for e in pending if e.module == culprit))
            test_name = unfinished.test if unfinished else "(loading the graders)"
            result.tests.append(TestResult(test_name, status, why))
            done[culprit] = result
            pending = [e for e in pending if e.module not in done]
    ordered = [done[e.module] for e in exercises if e.module in done]
    return Graded(Report(str(impl), ordered), "".join(output), returncodes)


def _watch(process: subprocess.Popen, results: Path, limits: Limits) -> bool:
    """Wait for the process; kill it (and say so) if one test runs past its time."""
    allowed = limits.test_seconds + limits.kill_grace_seconds
    while process.poll() is None:
        time.sleep(0.2)
        report = _read(results)
        started = report.running.since if report and report.running else None
        if started and time.time() - started > allowed:
            kill(process)
            return True
    return False


def kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _read(path: Path) -> Report | None:
    try:
        return Report.read(path)
    except (OSError, ValueError, KeyError):
        return None  # not written yet, or caught mid-write


def _empty(exercise: Exercise) -> ExerciseResult:
    return ExerciseResult(exercise.number, exercise.name, exercise.title, exercise.module)


def _death(returncode: int, overran: bool, limits: Limits, output: str) -> str:
    if overran:
        return (
            f"still running {limits.test_seconds + limits.kill_grace_seconds:g} s after the test "
            "began, even past the grader's own time limit (stuck in native code?); stopped."
        )
    if returncode < 0:
        signal_name = {-9: "SIGKILL (out of memory?)", -11: "SIGSEGV (a segfault)",
                       -25: "SIGXFSZ (too much output)", -6: "SIGABRT"}  # fmt: skip
        return f"the grading process died of {signal_name.get(returncode, -returncode)}."
    tail = output.strip().splitlines()[-3:]
    return f"the grading process exited with code {returncode} mid-test: " + " | ".join(tail)
