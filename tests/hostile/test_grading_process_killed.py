"""A grading process killed outright (SIGKILL: an out-of-memory killer, a platform's timeout)
cannot stop its workers itself. Each worker ends, with all it started, once the grading
process is gone, and removes its scratch folder: nothing of the submission runs on, nor stays
behind in the temporary folder. One that ends of itself, workers still open, closes them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autodiff_kata.engine.cgroups import cgroups_of
from autodiff_kata.project import Project

PROJECT = Project.locate(Path(__file__).parent)

SPINS = """\
import os


def first_derivative(f, x):
    os.fork()  # a child of its own, spinning beside it
    while True:
        pass
"""


AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def temporary():
    """Where the workers' scratch folders go: a folder like /tmp, that every user can reach."""
    folder = Path(tempfile.mkdtemp(prefix="autodiff-kata-ended-", dir="/tmp"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _nothing_left(processes, marker: str, temporary: Path) -> None:
    """Within 10 s, no process of the grading runs on, and no worker's scratch folder stays."""
    deadline = time.monotonic() + 10
    while processes.marked(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not processes.marked(marker), f"still running: {processes.marked(marker)}"
    left = [p.name for p in temporary.iterdir() if p.name.startswith("autodiff-kata-worker")]
    assert not left, f"scratch folders left: {left}"


def _kill_once_running(
    grading, processes, marker: str, temporary: Path, never: str, group: bool = False
) -> None:
    """Once the learner's code runs (the warm parent, the worker and its child, all marked),
    SIGKILL the grading process (or, with `group`, SIGTERM its process group, the warm parent
    with it: a cancelled CI job), then check that nothing of it runs on or stays behind."""
    try:
        running = {}
        deadline = time.monotonic() + 120
        while len(running) < 3 and time.monotonic() < deadline:  # warm parent, worker, child
            time.sleep(0.5)
            running = {pid: args for pid, args in processes.marked(marker).items()
                       if pid != grading.pid}  # fmt: skip
        assert len(running) >= 3, f"{never}: {running}"
        if group:
            os.killpg(grading.pid, signal.SIGTERM)
        else:
            os.kill(grading.pid, signal.SIGKILL)
        grading.wait()
        _nothing_left(processes, marker, temporary)
        deadline = time.monotonic() + 10  # the warm parent removes its workers' groups
        while (
            groups := [g for pid in running for g in cgroups_of(pid)]
        ) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not groups, f"control groups left: {groups}"
    finally:
        grading.kill()
        processes.kill_marked(marker)


@pytest.mark.parametrize(
    ("same_user", "group"),
    [(False, False), (False, True), (True, False)] if AS_ROOT else [(True, False)],
    ids=lambda value: str(value),
)
def test_workers_end_when_the_grading_process_is_killed(
    tmp_path, same_user, group, processes, temporary
):
    kata = tmp_path / "kata"
    shutil.copytree(PROJECT.root / "kata", kata)
    (kata / "ex01_first_derivative.py").write_text(SPINS)
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    grader = PROJECT.root / "tests" / "graders" / "test_ex01_first_derivative.py"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               f"--rootdir={PROJECT.root}", f"--impl={kata}", str(grader)]  # fmt: skip
    marker = str(tmp_path)  # in the warm parent's command line, which its forks keep
    environment = {**processes.environment(same_user), "TMPDIR": str(temporary)}
    grading = subprocess.Popen(command, env=environment, cwd=tmp_path, start_new_session=group,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    never = "the submission never ran"
    _kill_once_running(grading, processes, marker, temporary, never, group)


LEAVES_ITS_WORKER_OPEN = """\
import sys

sys.path.insert(0, sys.argv[1])  # the marker: the warm parent's command line holds sys.path
from autodiff_kata.engine import warm_up

warm_up()
from autodiff_kata.engine.supervisor import Limits, Worker

worker = Worker(Limits())
spins = "import os\\nif os.fork() == 0:\\n    while True:\\n        pass\\n"
request = {"op": "load", "name": "spins", "source": spins, "filename": "spins.py", "seconds": 30}
print(worker.request(request, 30)["kind"], flush=True)
"""


@pytest.mark.parametrize("same_user", [False, True] if AS_ROOT else [True])
def test_workers_left_open_are_closed_as_the_grading_process_ends(
    tmp_path, same_user, processes, temporary
):
    """A grading process that ends of itself with a worker still open (a tool's script, a bug
    of ours) closes it first: multiprocessing would only terminate the worker itself, and
    leave what it started running and its scratch folder behind."""
    marker = str(tmp_path)
    environment = {**processes.environment(same_user), "TMPDIR": str(temporary)}
    try:
        done = subprocess.run([sys.executable, "-c", LEAVES_ITS_WORKER_OPEN, marker],
                              env=environment, cwd=tmp_path, capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
        assert done.stdout.strip() == "ok", done.stdout + done.stderr
        _nothing_left(processes, marker, temporary)
    finally:
        processes.kill_marked(marker)


@pytest.mark.parametrize("same_user", [False, True] if AS_ROOT else [True])
def test_an_idle_worker_ends_when_the_grading_process_is_killed(
    tmp_path, same_user, processes, temporary
):
    """A worker waiting for its next request reads the closed connection before its watch
    thread sees the grading process gone: it ends the same way, with all it started and its
    scratch folder."""
    marker = str(tmp_path)
    environment = {**processes.environment(same_user), "TMPDIR": str(temporary)}
    waits = LEAVES_ITS_WORKER_OPEN + "import time\n\ntime.sleep(300)\n"
    grading = subprocess.Popen([sys.executable, "-c", waits, marker], env=environment,
                               cwd=tmp_path, stdout=subprocess.DEVNULL)  # fmt: skip
    _kill_once_running(grading, processes, marker, temporary, "the worker never loaded it")
