"""`watch`: re-grade on every save, move on when the exercise passes, keep the board on screen.

The current exercise is the first that does not pass. Saving any exercise file in kata/
re-grades the exercises saved, in one pytest process; a syntax error is just a failing
grade. Ctrl-C (or SIGTERM) quits cleanly with exit code 0.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import watchfiles

from autodiff_kata.engine import warm_up
from autodiff_kata.project import Project
from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import ExerciseResult, Report
from autodiff_kata.view import Output, Progress, progress, up_next

DEBOUNCE_MS = 300  # an editor's save is often several writes (temp file, rename, chmod)


def run(
    project: Project,
    out: Output,
    *,
    start: Exercise | None = None,
    max_runs: int | None = None,
    timeout: float | None = None,
) -> int:
    """Watch until Ctrl-C, from `start` on if given (`watch 5`: the learner skips ahead);
    `max_runs` re-grades or `timeout` seconds end it early (tests)."""
    warm_up(long_lived=True)  # the workers' warm parent serves every re-grade
    stop = threading.Event()
    timer = threading.Timer(timeout, stop.set) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        with _interrupts():
            _loop(project, out, stop, max_runs, start)
    except KeyboardInterrupt:
        out.print("")
        out.print("Stopped watching. ", out.command(), " shows the board.")
    finally:
        if timer:
            timer.cancel()
    if stop.is_set():
        out.print(f"Stopped watching after {timeout:g} s.")
    return 0


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """Ctrl-C and SIGTERM both end the watch, even where the shell started us ignoring SIGINT."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _loop(
    project: Project,
    out: Output,
    stop: threading.Event,
    max_runs: int | None,
    start: Exercise | None = None,
) -> None:
    by_file = {e.filename: e for e in EXERCISES}
    watcher = watchfiles.watch(
        project.kata,
        watch_filter=lambda change, path: Path(path).name in by_file,
        debounce=DEBOUNCE_MS,
        stop_event=stop,
        recursive=False,  # kata/.backup/ holds old copies, not exercises
        rust_timeout=200,
        yield_on_timeout=True,  # so the first next() returns once the watcher is running
    )
    # Watch from before the first grade, so that no save is ever missed.
    backlog = next(watcher, None) or set()
    out.print("Grading every exercise…")
    report = _grade(project, out, list(EXERCISES), Report(str(project.kata)), reuse=True)
    _show(project, out, report, None)
    runs = 0
    while (current := _current(report, start)) is not None:
        exercise = current.exercise
        out.print(
            (f"Watching {project.relative(project.learner_file(exercise))}", "bold"),
            ": save it to grade it. Ctrl-C quits.",
        )
        batch = backlog or next((b for b in watcher if b), None)  # skips the empty timeouts
        backlog = set()
        if batch is None:  # stopped
            return
        saved = sorted({by_file[Path(path).name] for _, path in batch}, key=lambda e: e.number)
        report = _grade(project, out, saved, report)
        runs += 1
        _show(project, out, report, exercise if exercise in saved else None)
        if max_runs is not None and runs >= max_runs:
            return
    out.print(("Every exercise passes. Well done!", "bold green"))


def _current(report: Report, start: Exercise | None) -> ExerciseResult | None:
    """The first exercise from `start` on that does not pass; past the last, the first of all."""
    later = [r for r in report.exercises if start and r.exercise.number >= start.number]
    ahead = next((r for r in later if progress(r) in (Progress.FAIL, Progress.NOT_STARTED)), None)
    return ahead or up_next(report)


def _grade(
    project: Project,
    out: Output,
    exercises: list[Exercise],
    report: Report,
    reuse: bool = False,
) -> Report:
    """The report with these exercises re-graded; a grading run that fails leaves it as was."""
    names = ", ".join(f"{e.number:02d}" for e in exercises)
    if not out.terminal:
        out.print(f"Grading {names}…")
    try:
        with out.console.status(f"Grading {names}…") if out.terminal else contextlib.nullcontext():
            fresh = project.grade(exercises, reuse=reuse).report
    except (OSError, RuntimeError) as error:
        out.error(f"could not grade {names}: {error}")
        return report
    merged = {r.exercise.module: r for r in report.exercises}
    merged.update({r.exercise.module: r for r in fresh.exercises})
    return Report(fresh.impl, [merged[e.module] for e in EXERCISES if e.module in merged])


def _show(project: Project, out: Output, report: Report, saved: Exercise | None) -> None:
    """The board, then what became of the exercise the learner was on."""
    if out.terminal:
        out.console.clear()
    else:
        out.print("")
    out.board(project, report, watching=True)
    if saved is None:
        return
    result = next(r for r in report.exercises if r.exercise == saved)
    out.print("")
    if progress(result) == Progress.PASS:
        out.print(
            (f"{out.marks.passed} {saved.label} passes! ", "bold green"),
            "Compare with the reference: ",
            out.command("solution", saved.number),
        )
    else:
        out.result(project, result)
