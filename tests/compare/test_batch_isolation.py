"""Submissions that attack the batch: rewriting a sibling's files, killing their grading
session, leaving a process behind to forge the reports, reading the private snapshots.

Each runs `compare` on exercise 1 alone, without the probe. Where the tests run as root,
workers would run under users of their own and most of these attacks could not even land;
AUTODIFF_KATA_SAME_USER=1 keeps them under root, so that what is tested is compare's own
defence (snapshots, sessions, the sweep), not the users'."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from autodiff_kata.compare import snapshot
from autodiff_kata.compare.batch import KILLED_TWICE
from autodiff_kata.engine.cgroups import cgroups_of
from autodiff_kata.registry import EXERCISES, find

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
SUBMISSIONS = HERE / "submissions"
MODULE = find(1).filename
SAME_USER = {"AUTODIFF_KATA_SAME_USER": "1"}
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def compare(
    folders: list[Path], out: Path, *options: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "autodiff_kata.compare", *map(str, folders),
        "--exercises", "1", "--timeout", "10", "--no-probe", "--out", str(out), *options,
    ]  # fmt: skip
    environment = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=environment, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def verdicts(out: Path) -> dict[str, tuple[str, str]]:
    """submission → (status of exercise 1, the row's problem)."""
    report = json.loads((out / "report.json").read_text())
    return {r["name"]: (r["cells"][0]["status"], r["problem"]) for r in report["submissions"]}


def submission(folder: Path, source: str) -> Path:
    folder.mkdir(parents=True)
    (folder / MODULE).write_text(source)
    return folder


CORRECT = (SUBMISSIONS / "correct" / MODULE).read_text()
CLASS = {"correct": "passed", "wrong": "failed", "unstarted_a": "not implemented yet"}


def test_a_submission_that_rewrites_a_sibling_changes_nothing_of_the_sibling_s_row(tmp_path):
    victim = submission(tmp_path / "b_victim", CORRECT)
    wrong = (SUBMISSIONS / "wrong" / MODULE).read_text()
    attacker = submission(
        tmp_path / "a_attacker",
        f"from pathlib import Path\nPath({str(victim / MODULE)!r}).write_text({wrong!r})\n"
        + CORRECT,
    )
    original = snapshot.copy_modules(victim, EXERCISES, tmp_path / "copy")
    out = tmp_path / "out"
    done = compare([attacker, victim], out, "--jobs", "1", env=SAME_USER)
    assert (victim / MODULE).read_text() == wrong, "the attack did not land: nothing tested"
    assert verdicts(out)["b_victim"] == ("passed", "")
    rows = list(csv.DictReader(io.StringIO((out / "results.csv").read_text())))
    assert {r["submission"]: r["sha256"] for r in rows}["b_victim"] == original
    assert original in (out / "report.md").read_text()
    assert original in (out / "report.html").read_text()
    assert "b_victim" in done.stdout


KILL_PARENT = """
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
"""

KILL_SESSION = """
import os, signal
with open(f"/proc/{os.getppid()}/stat") as stat:  # the warm parent's parent: the session
    os.kill(int(stat.read().rsplit(")", 1)[1].split()[1]), signal.SIGKILL)
"""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the session through /proc")
@pytest.mark.parametrize("killer", [KILL_PARENT, KILL_SESSION], ids=["parent", "session"])
def test_a_submission_that_kills_its_session_leaves_every_other_verdict(tmp_path, killer):
    killers = submission(tmp_path / "a_killer", killer + CORRECT)
    others = [SUBMISSIONS / name for name in CLASS]
    out = tmp_path / "out"
    compare([killers, *others], out, "--jobs", "2", env=SAME_USER)
    found = verdicts(out)
    assert {name: found[name] for name in CLASS} == {name: (s, "") for name, s in CLASS.items()}
    if killer == KILL_SESSION:
        assert found["a_killer"] == ("not run", KILLED_TWICE)


HOLD_THE_LOCKS = """
import gc, sys
from multiprocessing.synchronize import SemLock
frame, scopes = sys._getframe(), []
while frame is not None:  # up to the forkserver's loop, and whatever called it
    scopes.append(frame.f_locals)
    frame = frame.f_back
scopes += [o.__dict__ for o in gc.get_objects() if isinstance(getattr(o, "__dict__", 0), dict)]
for scope in scopes:
    for value in list(scope.values()):
        for name in ("_rlock", "_wlock", "_sem"):
            lock = getattr(value, name, None)
            if isinstance(lock, SemLock):
                lock.acquire(False)  # never released: the worker is killed holding it
"""


@pytest.mark.parametrize("same_user", [True, False] if AS_ROOT else [True])
def test_a_submission_that_holds_what_its_session_shares_with_compare_stops_nothing(
    tmp_path, same_user
):
    """The semaphores of the queues between compare and its sessions live in memory shared
    by every process forked from a session: a worker that held one would stop the batch."""
    holder = submission(tmp_path / "a_holder", HOLD_THE_LOCKS + CORRECT)
    others = [SUBMISSIONS / name for name in CLASS]
    out = tmp_path / "out"
    compare([holder, *others], out, "--jobs", "2", env=SAME_USER if same_user else {})
    found = verdicts(out)
    assert {name: found[name] for name in CLASS} == {name: (s, "") for name, s in CLASS.items()}
    assert found["a_holder"][0] != "passed", found["a_holder"]


@pytest.fixture
def fresh_tmp():
    """A temporary folder of its own for compare (as /tmp is: anyone may write, sticky)."""
    folder = Path(tempfile.mkdtemp(prefix="autodiff-kata-test-tmp-"))
    folder.chmod(0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_reports_are_written_whole_only_after_the_batch_and_nothing_outlives_it(
    tmp_path, fresh_tmp
):
    out = tmp_path / "out"
    marker = f"autodiff-kata-test-marker-{uuid.uuid4().hex}"
    forger = (
        "import time, sys\n"
        "time.sleep(3)\n"
        "for _ in range(50):\n"
        "    open(sys.argv[1], 'w').write('forged\\n')\n"
        "    time.sleep(0.2)\n"
    )
    detacher = submission(
        tmp_path / "z_detacher",
        "import os, subprocess, sys\n"
        f"if os.path.exists({str(out / 'results.csv')!r}):\n"
        "    raise RuntimeError('the reports were written before the batch ended')\n"
        f"subprocess.Popen([sys.executable, '-c', {forger!r}, {str(out / 'results.csv')!r}, "
        f"{marker!r}], start_new_session=True, stdin=subprocess.DEVNULL, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n" + CORRECT,
    )
    env = {**SAME_USER, "TMPDIR": str(fresh_tmp)}
    compare([SUBMISSIONS / "correct", detacher], out, "--jobs", "1", env=env)
    written = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert not [p for p in written if p.name.startswith(".")]  # no temporary file left
    assert verdicts(out)["z_detacher"] == ("passed", "")
    assert not list(fresh_tmp.glob("autodiff-kata-*"))  # snapshots, workers' scratch: gone
    time.sleep(5)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == written
    listed = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    assert marker not in listed


@pytest.mark.skipif(
    not hasattr(os, "geteuid")
    or os.geteuid() != 0
    or os.environ.get("AUTODIFF_KATA_SAME_USER") == "1",
    reason="workers run under users of their own only when compare runs as root",
)
def test_as_root_the_snapshots_are_unreadable_to_the_workers(tmp_path, fresh_tmp):
    """Where a worker has a /tmp of its own, the machine's folder holding the private copies
    is out of its sight (the marker beside them with it); elsewhere, out of its reach."""
    pattern = str(fresh_tmp / "autodiff-kata-compare-*")
    beside = fresh_tmp / "autodiff-kata-test-beside-the-copies"
    beside.write_text("")
    peeker = submission(
        tmp_path / "peeker",
        "import glob, os\n"
        f"private = glob.glob({pattern!r})\n"
        f"if not private and os.path.exists({str(beside)!r}):\n"
        "    raise RuntimeError('no private folder found: nothing tested')\n"
        "for folder in private:\n"
        "    for path in (folder, folder + '/submissions', folder + '/project/tests/graders'):\n"
        "        try:\n"
        "            os.listdir(path)\n"
        "        except PermissionError:\n"
        "            continue\n"
        "        raise RuntimeError(f'read {path}')\n"
        "    try:\n"
        f"        open(folder + '/submissions/peeker/{MODULE}').read()\n"
        "    except PermissionError:\n"
        "        continue\n"
        "    raise RuntimeError('read its own snapshot')\n" + CORRECT,
    )
    out = tmp_path / "out"
    compare([peeker], out, env={"TMPDIR": str(fresh_tmp)})
    assert verdicts(out)["peeker"] == ("passed", "")


@pytest.mark.parametrize("same_user", [True, False] if AS_ROOT else [True])
def test_an_interrupted_batch_writes_nothing_and_leaves_nothing(tmp_path, fresh_tmp, same_user):
    """Nothing: no report, no process, no scratch folder, and (as root) no worker's control
    group, which its warm parent, swept with it, would have removed."""
    groups_before = set(cgroups_of())
    marker = f"autodiff-kata-test-marker-{uuid.uuid4().hex}"
    looper = submission(
        tmp_path / "looper",
        "import subprocess\n"  # a shell any user may run, its $0 the marker
        f"subprocess.Popen(['/bin/sh', '-c', 'while :; do :; done', {marker!r}], "
        "start_new_session=True)\n"
        "while True:\n"
        "    pass\n",
    )
    command = [
        sys.executable, "-m", "autodiff_kata.compare", str(SUBMISSIONS / "correct"), str(looper),
        "--exercises", "1", "--timeout", "60", "--no-probe", "--jobs", "2",
        "--out", str(tmp_path / "out"),
    ]  # fmt: skip
    environment = {**os.environ, **(SAME_USER if same_user else {}), "TMPDIR": str(fresh_tmp)}
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    for line in process.stderr:  # the correct one is graded: the looper runs by now
        if line.startswith("[1/2]"):
            break
    time.sleep(1)
    process.terminate()  # as a timeout would; Ctrl-C takes the same way out
    assert process.wait(timeout=30) == 130
    assert "interrupted; no report written" in process.stderr.read()
    assert not (tmp_path / "out").exists()
    assert not list(fresh_tmp.glob("autodiff-kata-*"))
    listed = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    assert marker not in listed
    left = set(cgroups_of()) - groups_before
    assert not left, f"control groups left: {sorted(map(str, left))}"
