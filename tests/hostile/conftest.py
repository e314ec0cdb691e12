"""Hostile submissions against the grading engine, graded the two ways a learner grades: plain
`pytest --impl=...` and `autodiff-kata check --json`, each in a subprocess of its own, on a
copy of the project of its own, the two at once (the machine has few cores, and the attacks
meet each other's runs, which is all the better).

CASES names each submission, how it is run, and the verdict each exercise must get;
test_engine_holds.py holds the checks every case must pass. A submission is made when it is
graded, from the course as it stands: each exercise module is the stub kata/ hands out,
followed by the attack in submissions/<name>/<module> if there is one, or the reference
solution where the case solves that exercise. The module-scoped `grading`
fixture grades each case once; a case that mostly waits starts with the first.

The copies live in a folder other users may read but not write, as a learner's checkout
usually is: as root, a worker runs under a user of its own, and must be stopped by that, not
by a private temporary folder it cannot even look into.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from autodiff_kata import stubs
from autodiff_kata.cache import CACHE_FILE
from autodiff_kata.engine.supervisor import SAME_USER, SHARED_FOLDERS
from autodiff_kata.project import STATE_FILE, Project
from autodiff_kata.registry import EXERCISES, Exercise

#: The checkout these tests belong to.
PROJECT = Project.locate(Path(__file__).parent)

# The attacks are learners' code, hostile on purpose: never collect or import them.
collect_ignore = ["submissions"]

SUBMISSIONS = Path(__file__).parent / "submissions"
WAYS = ("pytest", "check")
LATE = 2.0  # seconds after a run for a late writer (they write every 0.3 s) to show itself
RUN_TIMEOUT = 300
TERMINAL_VARIABLES = ("FORCE_COLOR", "NO_COLOR", "PY_COLORS", "COLUMNS", "TTY_COMPATIBLE")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SHARED_MEMORY = Path("/dev/shm")


@dataclass(frozen=True)
class Verdict:
    status: str
    kind: str | None  # the outcome of the test that speaks for the exercise; None: any


STUB = Verdict("not implemented yet", "not implemented")
PASSED = Verdict("passed", "passed")
CRASHED = Verdict("crashed", None)


@dataclass(frozen=True)
class Case:
    submission: str  # the folder of attacks under submissions/
    attacked: dict[int, Verdict]
    solved: tuple[int, ...] = ()  # exercises given their reference solution; the rest: stubs
    same_user: bool = False  # AUTODIFF_KATA_SAME_USER=1: the non-root path
    time_limit: float | None = None  # pytest's --exercise-time-limit (check: its 30 s)
    early: bool = False  # started with the first case: it spends most of its time waiting

    @property
    def name(self) -> str:
        return f"{self.submission}-{'same-user' if self.same_user else 'root'}"

    @property
    def marker(self) -> str:
        """On the command line of every process the submission starts."""
        return f"HOSTILE-MARKER-{self.submission}-"

    def verdicts(self) -> dict[int, Verdict]:
        solved = dict.fromkeys(self.solved, PASSED)
        return {
            e.number: self.attacked.get(e.number, solved.get(e.number, STUB)) for e in EXERCISES
        }

    def module(self, exercise: Exercise) -> str:
        """The submission's module for `exercise`."""
        solution = (PROJECT.solutions / exercise.filename).read_text()
        if exercise.number in self.solved:
            return solution
        attack = SUBMISSIONS / self.submission / exercise.filename
        stub = stubs.stub_text(exercise, solution)
        return stub + "\n\n" + attack.read_text() if attack.is_file() else stub


CASES = [
    Case(
        "tampering",
        {
            1: Verdict("failed", "wrong answer"),  # verdict classes patched; the chapter's value
            2: Verdict("failed", "raised"),  # a pytest hook registered through gc, then an error
            3: Verdict("failed", "raised"),  # pytest.skip() for every input
            # stubs: 4 an atexit handler rewriting results, 5 a conftest.py into the graders,
            # 6 the grading process's pipes, 7 a thread that never ends, 8 the cwd emptied
        },
    ),
    Case(
        "exceptions",
        {
            1: Verdict("error", "import error"),  # torch patched, then KeyboardInterrupt
            3: Verdict("error", "import error"),  # SystemExit
            5: Verdict("error", "import error"),  # a BaseException of its own
        },
        solved=(2, 4, 7),  # 4 and 7 in graph mode, after torch._dynamo was disabled in 1
    ),
    *(
        Case(
            "stray_processes",
            {
                # stubs: 1 children, 2 a writer in a new session, 3 a double-forked writer,
                # 9 files left in the folders any user may write to
                4: Verdict("crashed", "exited"),  # a double-forked writer, then os._exit(0)
                5: CRASHED,  # SIGKILL to its parent, then to its own group
            },
            same_user=same_user,
        )
        for same_user in (False, True)
    ),
    *(
        Case(
            "neighbours",
            {},  # stub: 1 stops or kills the workers started early for the exercises after it
            solved=(2, 4, 5),
            same_user=same_user,
        )
        for same_user in (False, True)
    ),
    Case(
        "crashes",
        {
            1: Verdict("crashed", "exited"),  # os._exit(0)
            2: Verdict("crashed", "killed"),  # a segfault
            3: Verdict("timeout", "hung"),  # SIGALRM blocked, then a loop
            4: Verdict("crashed", "too much output"),  # 100 MiB on stderr
            5: Verdict("error", "import error"),  # RecursionError, a million frames deep
            6: Verdict("failed", "unreadable answer"),  # megabytes of text, past the wire's cap
        },
        time_limit=20,  # check's hang costs its 30 s + 5 s of grace in any case
        early=True,
    ),
]


@dataclass
class Graded:
    """One way of grading the submission, once it is over."""

    way: str
    code: int
    out: str
    err: str
    report: dict[str, Any]  # the results JSON (pytest) or check's JSON
    before: dict[str, str]  # the copy but the submission, before the run
    after: dict[str, str]  # ... and LATE seconds after it
    written: bytes  # what the run left in its results file (pytest) or grade cache (check)
    later: bytes  # ... and what is there LATE seconds after

    def verdicts(self) -> dict[int, Verdict]:
        found = {}
        for entry in self.report["exercises"]:
            first = next((t for t in entry["tests"] if t["status"] == entry["status"]), None)
            found[entry["number"]] = Verdict(entry["status"], first["kind"] if first else None)
        return found


@dataclass
class Grading:
    """A case graded both ways, and what was found after: the submission's processes still
    alive, whether the grading user's shared memory object (that no worker may touch) is."""

    case: Case
    ways: dict[str, Graded]
    survivors: dict[int, str] = field(default_factory=dict)
    victim_kept: bool = True
    litter: list[str] = field(default_factory=list)  # its files left where anyone may write


def marked(marker: str) -> dict[int, str]:
    """Live processes whose command line holds `marker`: pid → command line. (-ww: ps cuts
    command lines to $COLUMNS otherwise, and the marker comes last.)"""
    listing = subprocess.run(
        ["ps", "-ww", "-eo", "pid=,args="], capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in listing.splitlines():
        pid, _, args = line.strip().partition(" ")
        if marker in args and int(pid) != os.getpid():
            found[int(pid)] = args[-100:]  # the marker comes last
    return found


def litter(marker: str) -> list[str]:
    """Files and folders named with `marker` in the folders any user may write to."""
    return sorted(
        str(path) for folder in SHARED_FOLDERS for path in Path(folder).glob(f"{marker}*")
    )


def remove_litter(marker: str) -> None:
    for path in map(Path, litter(marker)):
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def kill_marked(marker: str) -> None:
    """Leave the machine clean: SIGKILL, by pid, whatever a submission left running."""
    for pid in marked(marker):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def snapshot(root: Path) -> dict[str, str]:
    """A hash of every file of the copy but the submission (kata/), and those the grading
    process writes: the grade cache and state `check` keeps, hypothesis's own cache."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in ("kata", ".hypothesis") or str(relative) in (
            CACHE_FILE,
            STATE_FILE,
        ):
            continue
        if path.is_symlink():
            found[str(relative)] = "link to " + os.readlink(path)
        elif path.is_file():
            found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def copy_project(case: Case, root: Path) -> None:
    """What grading reads: solutions/, the graders, pyproject.toml; kata/ is the submission.
    Folders others may enter and read, files others may read, none others may write."""
    for folder in ("solutions", "tests/graders"):
        (root / folder).mkdir(parents=True)
        for source in (PROJECT.root / folder).glob("*.py"):
            shutil.copyfile(source, root / folder / source.name)
    for name in ("pyproject.toml", ".gitignore", "tests/conftest.py"):
        if (PROJECT.root / name).is_file():
            shutil.copyfile(PROJECT.root / name, root / name)
    (root / "kata").mkdir()
    for exercise in EXERCISES:
        (root / "kata" / exercise.filename).write_text(case.module(exercise))
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def environment(same_user: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (*TERMINAL_VARIABLES, SAME_USER)}
    env.update(PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1")
    if same_user:
        env[SAME_USER] = "1"
    return env


def command(way: str, root: Path, results: Path, time_limit: float | None) -> list[str]:
    if way == "check":
        return [sys.executable, "-m", "autodiff_kata", "check", "--json", "--project", str(root)]
    limit = [f"--exercise-time-limit={time_limit}"] if time_limit else []
    return [
        sys.executable, "-m", "pytest", "-c", str(root / "pyproject.toml"),
        "--rootdir", str(root), "-p", "no:cacheprovider", f"--impl={root / 'kata'}",
        str(root / "tests" / "graders"), f"--results-json={results}", *limit,
    ]  # fmt: skip


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


@dataclass
class Run:
    """One way of grading, started."""

    process: subprocess.Popen[bytes]
    root: Path  # its copy of the project
    target: Path  # its results file (pytest) or grade cache (check)
    before: dict[str, str]


@dataclass
class Launched:
    """A case being graded both ways, in a folder of its own."""

    case: Case
    base: Path
    runs: dict[str, Run]

    @property
    def victim(self) -> Path:
        """A shared memory object of the grading user's: no worker may have it removed."""
        return SHARED_MEMORY / f"hostile-victim-{self.case.name}"


def launch(case: Case) -> Launched:
    """Start grading the case both ways at once, each on a copy of its own."""
    base = Path(tempfile.mkdtemp(prefix="autodiff-kata-hostile-"))
    base.chmod(0o755)
    launched = Launched(case, base, {})
    if SHARED_MEMORY.is_dir():
        launched.victim.write_text("not a worker's to remove\n")
    for way in WAYS:
        root = base / way / "project"
        copy_project(case, root)
        results = base / way / "results.json"
        before = snapshot(root)
        with open(base / way / "out", "w") as out, open(base / way / "err", "w") as err:
            process = subprocess.Popen(
                command(way, root, results, case.time_limit),
                cwd=root, env=environment(case.same_user), stdout=out, stderr=err,
            )  # fmt: skip
        target = results if way == "pytest" else root / CACHE_FILE
        launched.runs[way] = Run(process, root, target, before)
    return launched


def collect(launched: Launched) -> Grading:
    """Wait for both ways to end; then LATE seconds more, for anything left behind to show
    itself."""
    case = launched.case
    codes = {}
    for way, run in launched.runs.items():
        try:
            codes[way] = run.process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            run.process.kill()
            codes[way] = run.process.wait()
    survivors = marked(case.marker)
    written = {way: _read(run.target) for way, run in launched.runs.items()}
    time.sleep(LATE)
    survivors |= marked(case.marker)
    ways = {}
    for way, run in launched.runs.items():
        out = (launched.base / way / "out").read_text(errors="replace")
        text = out if way == "check" else written[way].decode(errors="replace")
        try:
            report = json.loads(text)
        except ValueError:
            report = {"exercises": [], "unreadable": text[-2000:]}
        ways[way] = Graded(
            way=way,
            code=codes[way],
            out=out,
            err=(launched.base / way / "err").read_text(errors="replace"),
            report=report,
            before=run.before,
            after=snapshot(run.root),
            written=written[way],
            later=_read(run.target),
        )
    victim_kept = launched.victim.exists() or not SHARED_MEMORY.is_dir()
    return Grading(case, ways, survivors, victim_kept, litter(case.marker))


def discard(launched: Launched) -> None:
    """Leave the machine clean, even after a failure."""
    for run in launched.runs.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()
    kill_marked(launched.case.marker)
    remove_litter(launched.case.marker)
    launched.victim.unlink(missing_ok=True)
    shutil.rmtree(launched.base, ignore_errors=True)


_LAUNCHED: dict[str, Launched] = {}  # started, not yet collected
_COLLECTED: set[str] = set()


def _runnable(case: Case) -> bool:
    return case.same_user or AS_ROOT


def _launch_early(session: pytest.Session) -> None:
    """Start the cases that mostly wait (crashes: a hang, 35 s through `check`) with the
    first one, so that their waiting overlaps the others' work."""
    for case in CASES:
        pending = case.name not in _LAUNCHED and case.name not in _COLLECTED
        selected = any(f"[{case.name}" in item.nodeid for item in session.items)
        if case.early and pending and selected and _runnable(case):
            _LAUNCHED[case.name] = launch(case)


@pytest.fixture(scope="module", params=CASES, ids=lambda case: case.name)
def grading(request: pytest.FixtureRequest) -> Iterator[Grading]:
    case: Case = request.param
    if not _runnable(case):
        pytest.skip("workers run under users of their own only when grading runs as root")
    _launch_early(request.session)
    _COLLECTED.add(case.name)
    launched = _LAUNCHED.pop(case.name, None) or launch(case)
    try:
        yield collect(launched)
    finally:
        discard(launched)


@pytest.fixture(scope="session", autouse=True)
def _discard_the_unfinished() -> Iterator[None]:
    """A case started early whose tests were not reached (a stopped session)."""
    yield
    while _LAUNCHED:
        discard(_LAUNCHED.popitem()[1])


@pytest.fixture(scope="session")
def hostile_cases() -> list[Case]:
    return CASES


@pytest.fixture
def processes() -> Any:
    """What a test that runs a grading of its own needs to watch what it leaves running."""
    from types import SimpleNamespace

    return SimpleNamespace(
        marked=marked, kill_marked=kill_marked, environment=environment, late=LATE,
        litter=litter, remove_litter=remove_litter, snapshot=snapshot,
    )  # fmt: skip


@pytest.fixture
def answer(tmp_path: Path) -> Any:
    """Run `source` as exercise 1's module in a worker of its own, with `limits`, and return
    what its first_derivative answers for f(x) = coefficient·x² at x = 1 (a number): how the
    tests of the worker's own folders, groups and rights ask it what it saw."""
    import torch

    from autodiff_kata.engine.proxy import (
        CompileEvidence,
        ExerciseWorker,
        LearnerModule,
        OperationEvidence,
        SGDEvidence,
    )
    from autodiff_kata.engine.supervisor import Limits
    from autodiff_kata.functions import quadratic

    def run(source: str, coefficient: float = 1, limits: Any = None) -> Any:
        module = tmp_path / EXERCISES[0].filename
        module.write_text(source)
        worker = ExerciseWorker(EXERCISES[0], module, limits or Limits(), False)
        try:
            impl = LearnerModule(worker, CompileEvidence(), SGDEvidence(), OperationEvidence())
            return impl.first_derivative(quadratic(coefficient, 0, 0), torch.tensor(1.0))
        finally:
            worker.close()

    return run
