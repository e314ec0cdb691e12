"""Grade many submissions, each in its own processes, and gather one row per submission.

Per submission: `runner.grade` runs the project's graders on it in a pytest subprocess (own
session, temporary working directory, per-test timeout, memory and output caps, restarted
past a crash); then `probe` runs `autodiff_kata.compare.probe` in another subprocess under
the same limits, for the exercises that ran to an answer (passed or failed), to measure the
deviation from the reference and the speed ratio. Nothing a submission does ends the batch:
whatever goes wrong becomes a cell.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from autodiff_kata import runner
from autodiff_kata.compare.probe import Probe
from autodiff_kata.compare.similarity import fingerprint_file, groups
from autodiff_kata.registry import EXERCISES, PROJECT_ROOT, Exercise
from autodiff_kata.results import ExerciseResult, Status

REFERENCE = "reference"  # the name the reference goes by in similarity groups
MISSING = "module missing"
NO_GRADER = "no grader"
_ANSWERED = {Status.PASSED, Status.FAILED, Status.NOT_RUN}  # worth probing


@dataclass
class Options:
    reference: Path = PROJECT_ROOT / "solutions"
    exercises: tuple[Exercise, ...] = EXERCISES
    test_seconds: float = 30.0  # per grader test, and per exercise in the probe
    memory_bytes: int | None = 4 * 2**30
    output_bytes: int = 10_000_000
    kill_grace_seconds: float = 5.0
    probe: bool = True
    root: Path = PROJECT_ROOT  # whose graders grade

    @property
    def limits(self) -> runner.Limits:
        return runner.Limits(
            test_seconds=self.test_seconds,
            memory_bytes=self.memory_bytes,
            output_bytes=self.output_bytes,
            kill_grace_seconds=self.kill_grace_seconds,
        )


@dataclass
class Submission:
    name: str  # unique in the batch; names the Gradescope folder
    folder: Path  # the folder that holds the exercise modules
    given: str  # the path as the instructor gave it


@dataclass
class Cell:
    """One submission × one exercise."""

    number: int
    exercise: str
    module: str
    status: str  # a Status value
    detail: str = ""  # a few words for the table: "2/3 tests", "module missing", "SIGSEGV"
    message: str = ""  # the grader's message to the learner, in full
    tests: list[dict[str, Any]] = field(default_factory=list)  # name, status, message
    deviation: float | None = None
    speed_ratio: float | None = None
    probe_note: str = ""
    fingerprint: str | None = None
    same_as: str = ""  # the similarity group's label, filled in once all are graded

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED.value


@dataclass
class Row:
    name: str
    given: str
    folder: str
    cells: list[Cell]
    seconds: float = 0.0
    problem: str = ""  # the batch could not grade this submission at all (should not happen)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cells)


# submissions -------------------------------------------------------------------------


def module_folder(path: Path) -> Path:
    """The folder of exercise modules: `path` itself, or its kata/ (as the plugin does)."""
    has_modules = any((path / e.filename).exists() for e in EXERCISES)
    if not has_modules and (path / "kata").is_dir():
        return path / "kata"
    return path


def submissions(paths: Iterable[Path]) -> list[Submission]:
    """One Submission per folder given, named after it (a kata/ folder after its parent)."""
    found: list[Submission] = []
    taken: set[str] = set()
    for path in paths:
        resolved = path.resolve()
        folder = module_folder(resolved)
        stem = resolved.parent.name if resolved.name == "kata" else resolved.name
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._") or "submission"
        name, n = base, 1
        while name in taken or name == REFERENCE:
            n += 1
            name = f"{base}-{n}"
        taken.add(name)
        found.append(Submission(name, folder, str(path)))
    return found


# one submission ------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ written into submissions
    env.setdefault("OMP_NUM_THREADS", "1")  # tiny tensors; jobs share the cores
    return env


def grade_submission(submission: Submission, options: Options) -> Row:
    """Grade and probe one submission; every exercise of `options` gets a cell."""
    start = time.monotonic()
    cells = {e.module: _cell(e) for e in options.exercises}
    present = [e for e in options.exercises if (submission.folder / e.filename).is_file()]
    for exercise in options.exercises:
        cell = cells[exercise.module]
        if exercise not in present:
            cell.status, cell.detail = Status.ERROR.value, MISSING
            cell.message = f"{submission.folder / exercise.filename} does not exist."
        else:
            cell.fingerprint = fingerprint_file(
                submission.folder / exercise.filename, exercise.functions
            )
    graded = [e for e in present if runner.grader_path(e, options.root).exists()]
    for exercise in present:
        if exercise not in graded:
            cells[exercise.module].detail = NO_GRADER
    if graded:
        result = runner.grade(
            submission.folder,
            graded,
            limits=options.limits,
            env=child_env(),
            root=options.root,
        )
        for exercise_result in result.report.exercises:
            _fill(cells[exercise_result.module], exercise_result)
    if options.probe:
        to_probe = [e for e in present if Status(cells[e.module].status) in _ANSWERED]
        for found in probe(submission.folder, to_probe, options):
            cell = cells[found.module]
            cell.deviation, cell.speed_ratio, cell.probe_note = (
                found.deviation,
                found.speed_ratio,
                found.note,
            )
    row = Row(submission.name, submission.given, str(submission.folder), list(cells.values()))
    row.seconds = time.monotonic() - start
    return row


def _cell(exercise: Exercise) -> Cell:
    return Cell(exercise.number, exercise.name, exercise.module, Status.NOT_RUN.value)


def _fill(cell: Cell, result: ExerciseResult) -> None:
    cell.status = result.status.value
    cell.message = result.message
    cell.tests = [
        {"name": t.name, "status": t.status.value, "message": t.message} for t in result.tests
    ]
    ran = [t for t in result.tests if t.status != Status.NOT_RUN]
    passed = sum(t.status == Status.PASSED for t in ran)
    if result.status in (Status.PASSED, Status.FAILED):
        cell.detail = f"{passed}/{len(ran)} tests"
        if any(m in result.message for m in ("can't allocate memory", "MemoryError")):
            cell.detail += ", out of memory"
    else:
        cell.detail = summary(result.status, result.message)


def summary(status: Status, message: str) -> str:
    """A few words on why an exercise did not run to an answer, from its message."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    first = re.sub(r"^exercise \d\d [^:]*: ", "", first)
    if status == Status.CRASHED:
        died = re.search(r"died of (\w+)(?: \(([^)]*)\))?", first)
        if died:
            return f"{died.group(1)}" + (f": {died.group(2)}" if died.group(2) else "")
        code = re.search(r"exited with code (-?\d+)", first)
        if code:
            return f"exited with code {code.group(1)}"
    if status == Status.TIMEOUT:
        return "still running at the time limit"
    if status == Status.ERROR:
        syntax = re.search(r"syntax error at line (\d+)", first)
        if syntax:
            return f"syntax error, line {syntax.group(1)}"
        if "importing" in first:
            return "import failed"
        if "has no function" in first:
            return "function missing"
    if status == Status.NOT_IMPLEMENTED:
        return "stub"
    return first[:60]


# the probe -------------------------------------------------------------------------------


def probe(folder: Path, exercises: Sequence[Exercise], options: Options) -> list[Probe]:
    """Deviation and speed of each exercise, measured in subprocesses that may die: the
    exercise a dead or stuck process was on gets a note, the rest run in a fresh one."""
    pending = [e.module for e in exercises]
    found: dict[str, Probe] = {}
    limits = options.limits
    with tempfile.TemporaryDirectory(prefix="autodiff-kata-probe-") as scratch:
        attempt = 0
        while pending:
            results = Path(scratch) / f"probe-{attempt}.jsonl"
            log = Path(scratch) / f"stderr-{attempt}.txt"
            attempt += 1
            command = [
                sys.executable, "-m", "autodiff_kata.compare.probe",
                "--submission", str(folder.resolve()),
                "--reference", str(options.reference.resolve()),
                "--results", str(results),
                "--time-limit", str(options.test_seconds),
                *pending,
            ]  # fmt: skip
            with log.open("wb") as sink:
                process = subprocess.Popen(
                    command, cwd=scratch, env=child_env(), stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=sink,
                    preexec_fn=lambda: runner.limit_child(limits),
                )  # fmt: skip
                overran = _watch_probe(process, results, limits)
            lines = _read_lines(results)
            running = None
            for line in lines:
                if "start" in line:
                    running = line["start"]
                elif line.get("module") in pending:
                    found[line["module"]] = Probe.from_dict(line)
                    running = None
            pending = [m for m in pending if m not in found]
            if not pending:
                break
            culprit = running or pending[0]
            if overran:
                why = "probe stopped: still running past the time limit"
            elif process.returncode < 0:
                why = f"probe died of signal {-process.returncode}"
            else:
                why = f"probe exited with code {process.returncode}"
            found[culprit] = Probe(culprit, note=why)
            pending.remove(culprit)
    return [found[e.module] for e in exercises]


def _watch_probe(process: subprocess.Popen, results: Path, limits: runner.Limits) -> bool:
    # An exercise's probe runs the reference's code and the submission's, each under its own
    # guard of test_seconds; past both and the grace, the process is stuck in native code.
    allowed = 2 * limits.test_seconds + limits.kill_grace_seconds
    began = time.time()
    while process.poll() is None:
        time.sleep(0.2)
        lines = _read_lines(results)
        running = lines[-1].get("since") if lines and "start" in lines[-1] else None
        stuck = running and time.time() - running > allowed
        never_started = not lines and time.time() - began > 120 + allowed
        if stuck or never_started:
            runner.kill(process)
            return True
    return False


def _read_lines(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text()
    except OSError:
        return []
    lines = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            lines.append(json.loads(line))
    return lines


# the batch -------------------------------------------------------------------------------


def _safe_grade(submission: Submission, options: Options) -> Row:
    try:
        return grade_submission(submission, options)
    except Exception as error:  # a bug of ours, or the machine: keep the batch going
        cells = [_cell(e) for e in options.exercises]
        for cell in cells:
            cell.detail = "not graded"
        return Row(
            submission.name, submission.given, str(submission.folder), cells,
            problem=f"{type(error).__name__}: {error}",
        )  # fmt: skip


def grade_all(
    batch: Sequence[Submission],
    options: Options,
    jobs: int = 1,
    progress: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Grade every submission, `jobs` at a time; rows in the order given. (Similar code is
    marked afterwards, across the rows: `mark_similar`.)"""
    rows: dict[str, Row] = {}
    if jobs <= 1:
        for submission in batch:
            rows[submission.name] = _safe_grade(submission, options)
            if progress:
                progress(rows[submission.name])
    else:
        # Processes, not threads: runner.grade forks with a preexec_fn, unsafe beside threads.
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(_safe_grade, s, options): s for s in batch}
            for future in as_completed(futures):
                submission = futures[future]
                try:
                    row = future.result()
                except Exception as error:  # the worker itself died
                    row = Row(
                        submission.name, submission.given, str(submission.folder),
                        [_cell(e) for e in options.exercises],
                        problem=f"the grading worker failed: {error}",
                    )  # fmt: skip
                rows[submission.name] = row
                if progress:
                    progress(row)
    return [rows[s.name] for s in batch]


def mark_similar(rows: Sequence[Row], options: Options) -> dict[str, list[list[str]]]:
    """Label each group of submissions with the same code for an exercise: the reference's
    group is "reference", the others A, B, ... in order. Returns module → groups."""
    found: dict[str, list[list[str]]] = {}
    for index, exercise in enumerate(options.exercises):
        prints = {row.name: row.cells[index].fingerprint for row in rows}
        prints[REFERENCE] = fingerprint_file(
            module_folder(options.reference) / exercise.filename, exercise.functions
        )
        found[exercise.module] = groups(prints)
        letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        for members in found[exercise.module]:
            label = REFERENCE if REFERENCE in members else next(letters, "Z+")
            for row in rows:
                if row.name in members:
                    row.cells[index].same_as = label
    return found


def row_to_dict(row: Row) -> dict[str, Any]:
    data = asdict(row)
    data["passed"] = row.passed
    for cell in data["cells"]:
        deviation = cell["deviation"]
        if deviation is not None and math.isinf(deviation):
            cell["deviation"] = "inf"
    return data
