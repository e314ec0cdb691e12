"""Grade many submissions in a few long-lived grading sessions; one row per submission.

First everything the batch reads is copied into a private folder (`snapshot`): each
submission's exercise modules, the reference's, the project's graders. Then `jobs` grading
sessions start (processes of multiprocessing's spawn context, in a ProcessPoolExecutor), each
loading torch, the graders and the reference once, and each grades many submissions in turn
with runner.grade: pytest and the graders in the session, the submission's code in engine
workers. Each exercise that ran to an answer is probed (`probe`) as its last test ends, in the
worker it was graded in. A session that dies takes no other row with it: the pool is rebuilt
and what it had not finished is graded again; a submission that ends its session twice gets a
row saying so. This process never imports torch nor runs learner code; it only snapshots,
schedules and, after the batch, reports.
"""

from __future__ import annotations

import importlib
import math
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import resource_tracker
from pathlib import Path
from typing import Any

from autodiff_kata.compare import processes, snapshot
from autodiff_kata.compare.similarity import fingerprint_file, groups
from autodiff_kata.registry import EXERCISES, Exercise
from autodiff_kata.results import ExerciseResult, Kind, Status, TestResult

REFERENCE = "reference"  # the name the reference goes by in similarity groups
KILLED_TWICE = "its code ended the grading session twice; not graded"


@dataclass(frozen=True)
class Options:
    root: Path  # the checkout whose graders grade
    reference: Path  # the folder of the reference's modules
    exercises: tuple[Exercise, ...] = EXERCISES
    seconds: float = 30.0  # per grader test, and per exercise and side in the probe
    memory_bytes: int | None = 4 * 2**30
    output_bytes: int = 10_000_000
    grace: float = 5.0  # past the time limit, before a worker deaf to its alarm is killed
    probe: bool = True
    scratch: Path | None = None  # the sessions' (and their workers') temporary folder

    def limits(self) -> Any:
        """The engine's Limits (imported here: the engine imports torch)."""
        from autodiff_kata.engine.supervisor import Limits

        return Limits(self.seconds, self.grace, self.memory_bytes, self.output_bytes)


@dataclass
class Submission:
    name: str  # unique in the batch; names the Gradescope folder
    folder: Path  # the folder that holds the exercise modules
    given: str  # the path as the instructor gave it
    snapshot: Path | None = None  # its private copy, graded in its place
    sha256: str = ""  # of the copied modules (snapshot.copy_modules)
    fingerprints: dict[str, str | None] = field(default_factory=dict)  # module → similarity


@dataclass
class Batch:
    """What the sessions grade: every file already copied, nothing read from its origin."""

    plan: Options  # root and reference: the private copies
    submissions: list[Submission]
    reference_prints: dict[str, str | None]


@dataclass
class Cell:
    """One submission × one exercise."""

    number: int
    exercise: str
    module: str
    status: str  # a Status value
    detail: str = ""  # a few words for the table: "2/3 tests", "module missing", "SIGSEGV"
    message: str = ""  # what the learner reads about the exercise, in full
    # Each test's outcome as data (TestResult.to_dict), and its message as the instructor reads it.
    tests: list[dict[str, Any]] = field(default_factory=list)
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
    sha256: str = ""  # of the exercise modules graded (their private copy)
    seconds: float = 0.0
    problem: str = ""  # the batch could not grade this submission at all

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


def grader_file(exercise: Exercise, root: Path) -> Path:
    """runner.grader_path's rule, without importing the runner (and torch) into this process."""
    return root / "tests" / "graders" / f"test_{exercise.module}.py"


def _fingerprint(path: Path, exercise: Exercise) -> str | None:
    try:
        return fingerprint_file(path, exercise.functions)
    except Exception:  # parsing hostile source may fail in ways of its own (deep nesting)
        return None


def take_snapshots(
    options: Options, found: Sequence[Submission], private: Path, scratch: Path | None = None
) -> Batch:
    """Copy the graders, the reference and every submission into `private`, before any
    learner code runs; the sessions grade these copies only, and keep their temporary files
    in `scratch`."""
    snapshot.check_private(private)
    root = snapshot.copy_project(options.root, private / "project")
    reference = private / "reference"
    snapshot.copy_modules(options.reference, EXERCISES, reference)
    for submission in found:
        submission.snapshot = private / "submissions" / submission.name
        submission.sha256 = snapshot.copy_modules(submission.folder, EXERCISES, submission.snapshot)
        submission.fingerprints = {
            e.module: _fingerprint(submission.snapshot / e.filename, e) for e in options.exercises
        }
    prints = {e.module: _fingerprint(reference / e.filename, e) for e in options.exercises}
    plan = replace(options, root=root, reference=reference, scratch=scratch)
    return Batch(plan, list(found), prints)


# one submission, in a session ------------------------------------------------------------


def _result_without_grading(exercise: Exercise, plan: Options, present: bool) -> ExerciseResult:
    if not present:
        test = TestResult("module missing", Kind.MISSING_FILE)
    else:
        grader = f"tests/graders/{grader_file(exercise, plan.root).name}"
        test = TestResult("no grader", Kind.NO_GRADER, grader)
    return ExerciseResult(exercise, [test])


def _cell(exercise: Exercise, result: ExerciseResult | None, file: str) -> Cell:
    from autodiff_kata import wording

    cell = Cell(exercise.number, exercise.name, exercise.module, Status.NOT_RUN.value)
    if result is None:  # the grader ran but reported nothing: it did not collect
        cell.detail = "not graded"
        return cell
    first = result.first
    cell.status = result.status.value
    if result.status in (Status.PASSED, Status.FAILED):
        passed = sum(t.status == Status.PASSED for t in result.tests)
        cell.detail = f"{passed}/{len(result.tests)} tests"
        if first is not None and first.kind not in (Kind.PASSED, Kind.WRONG):  # raised, say
            words = wording.summary(first)
            cell.detail += ", " + (words if len(words) <= 80 else words[:79] + "…")
    else:
        cell.detail = wording.summary(first)
    cell.message = wording.message(exercise, first, file) if first else ""
    cell.tests = [
        {**t.to_dict(), "message": wording.message(exercise, t, file)} for t in result.tests
    ]
    return cell


def grade_submission(submission: Submission, plan: Options, reference: Any = None) -> Row:
    """Grade (and, with a `probe.Reference`, probe) one submission's snapshot, in this
    process: the graders here, its code in workers. Every exercise of `plan` gets a cell.
    An exercise is probed in the worker it was graded in (`probe.Prober`), one graded by
    no test in a fresh one."""
    from autodiff_kata import runner
    from autodiff_kata.compare.probe import ANSWERED, Prober, probe_exercise

    start = time.monotonic()
    folder = submission.snapshot or submission.folder
    limits = plan.limits()
    present = [e for e in plan.exercises if (folder / e.filename).is_file()]
    graded = [e for e in present if runner.grader_path(e, plan.root).is_file()]
    results: dict[str, ExerciseResult | None] = {e.module: None for e in graded}
    prober = Prober(reference, limits) if reference is not None else None
    if graded:
        plugins = [prober] if prober else []
        graded_now = runner.grade(folder, graded, root=plan.root, limits=limits, plugins=plugins)
        results.update({r.exercise.module: r for r in graded_now.report.exercises})
    cells = []
    for exercise in plan.exercises:
        result = (
            results[exercise.module]
            if exercise in graded
            else _result_without_grading(exercise, plan, exercise in present)
        )
        cell = _cell(exercise, result, str(submission.folder / exercise.filename))
        cell.fingerprint = submission.fingerprints.get(exercise.module)
        if prober and exercise in present and Status(cell.status) in ANSWERED:
            found = prober.found.get(exercise.module) or probe_exercise(
                exercise, folder / exercise.filename, reference, limits
            )
            cell.deviation, cell.speed_ratio = found.deviation, found.speed_ratio
            cell.probe_note = found.note
        cells.append(cell)
    row = Row(submission.name, submission.given, str(submission.folder), cells)
    row.sha256 = submission.sha256
    row.seconds = time.monotonic() - start
    return row


def _not_graded(submission: Submission, plan: Options, problem: str) -> Row:
    cells = [
        Cell(e.number, e.name, e.module, Status.NOT_RUN.value, "not graded") for e in plan.exercises
    ]
    return Row(submission.name, submission.given, str(submission.folder), cells,
               submission.sha256, problem=problem)  # fmt: skip


# the sessions ----------------------------------------------------------------------------


@dataclass
class _Session:
    plan: Options
    started: Any  # a SimpleQueue: each submission's name as its grading begins
    reference: Any  # probe.Reference, or None without the probe


_session: _Session | None = None


def _start_session(plan: Options, started: Any) -> None:
    """A grading session's initializer: the workers' warm parent, torch, the grading plugin,
    the graders and the reference, loaded once, before any submission runs."""
    global _session
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is compare's to handle: it ends us
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # tiny tensors; sessions share the cores
    if plan.scratch is not None:  # removed after the batch, whatever a session left there
        os.environ["TMPDIR"] = tempfile.tempdir = str(plan.scratch)
    sys.dont_write_bytecode = True
    from autodiff_kata.engine import warm_up

    warm_up(plan.exercises, long_lived=True, forked=True)
    import autodiff_kata.plugin  # noqa: F401  (torch, hypothesis, the grading plugin)
    from autodiff_kata.compare.probe import Reference

    # In-process pytest keeps grader modules loaded and imports each by name: imported now,
    # from the private copy, they are the ones every grade of this session uses.
    sys.path.insert(0, str(plan.root / "tests" / "graders"))
    for exercise in plan.exercises:
        grader = grader_file(exercise, plan.root)
        if grader.is_file():
            importlib.import_module(grader.stem)
    reference = None
    if plan.probe:
        reference = Reference(plan.reference, plan.exercises, plan.limits())
        reference.load()
    _session = _Session(plan, started, reference)


def _grade_in_session(submission: Submission) -> Row:
    session = _session
    assert session is not None, "the session's initializer did not run"
    session.started.put(submission.name)
    try:
        return grade_submission(submission, session.plan, session.reference)
    except Exception as error:  # a bug of ours, or the machine: keep the batch going
        return _not_graded(submission, session.plan, f"{type(error).__name__}: {error}")


@dataclass
class _PoolRun:
    rows: dict[str, Row]
    lost: set[str]  # begun, never finished: in a session that died
    broken: bool


def _run_pool(
    group: Sequence[Submission],
    plan: Options,
    jobs: int,
    progress: Callable[[Row], None] | None,
) -> _PoolRun:
    context = multiprocessing.get_context("spawn")
    started = context.SimpleQueue()
    run = _PoolRun({}, set(), False)
    begun: set[str] = set()
    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_session, initargs=(plan, started)
    )
    try:
        futures = {pool.submit(_grade_in_session, s): s for s in group}
        for future in as_completed(futures):
            submission = futures[future]
            try:
                row = future.result()
            except BrokenProcessPool:
                run.broken = True
                continue
            except Exception as error:  # the row could not come back
                row = _not_graded(submission, plan, f"{type(error).__name__}: {error}")
            run.rows[submission.name] = row
            if progress:
                progress(row)
    except BaseException:  # Ctrl-C: no waiting for the rest; the sweep ends the sessions
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown()
    finally:
        while not started.empty():
            begun.add(started.get())
        started.close()
    run.lost = begun - set(run.rows)
    return run


def grade_all(
    batch: Batch,
    jobs: int = 1,
    progress: Callable[[Row], None] | None = None,
) -> list[Row]:
    """Grade every submission in `jobs` sessions; rows in the order given. Returns only once
    every process the batch started is gone (else processes.Survivors).

    After a session dies, the submissions it had begun are graded again one at a time, so
    that a second death is the submission's own doing."""
    plan = batch.plan
    resource_tracker.ensure_running()  # multiprocessing's own helper: not the batch's
    processes.adopt_orphans()
    keep = processes.descendants()
    rows: dict[str, Row] = {}
    strikes: Counter[str] = Counter()
    failed_starts = 0
    pending = list(batch.submissions)
    try:
        while pending:
            suspect = next((s for s in pending if strikes[s.name]), None)
            group = [suspect] if suspect else pending
            run = _run_pool(group, plan, 1 if suspect else jobs, progress)
            processes.sweep(keep)
            rows.update(run.rows)
            strikes.update(run.lost)
            if run.broken and not run.lost and not run.rows:
                failed_starts += 1
            for submission in group:
                problem = ""
                if strikes[submission.name] >= 2:
                    problem = KILLED_TWICE
                elif failed_starts >= 2 and submission.name not in rows:
                    problem = "the grading session could not start (see the errors above)"
                if problem:
                    rows[submission.name] = _not_graded(submission, plan, problem)
                    if progress:
                        progress(rows[submission.name])
            pending = [s for s in pending if s.name not in rows]
    finally:
        left = processes.sweep(keep)
    if left:
        raise processes.Survivors(left)
    return [rows[s.name] for s in batch.submissions]


# across the rows -------------------------------------------------------------------------


def mark_similar(rows: Sequence[Row], batch: Batch) -> dict[str, list[list[str]]]:
    """Label each group of submissions with the same code for an exercise: the reference's
    group is "reference", the others A, B, ... in order. Returns module → groups."""
    found: dict[str, list[list[str]]] = {}
    for index, exercise in enumerate(batch.plan.exercises):
        prints = {row.name: row.cells[index].fingerprint for row in rows}
        prints[REFERENCE] = batch.reference_prints.get(exercise.module)
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
