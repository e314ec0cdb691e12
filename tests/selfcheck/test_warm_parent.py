"""The warm parent, which every worker is forked from, must leave the GPU alone: a CUDA driver
started there is unusable in every worker forked from it, and so is autograd once its first
backward pass has started a thread for a GPU. Both start in C++, on a compile or a backward
pass, so on a machine that may have a GPU the parent runs neither: checked here by standing
in for that machine. On a GPU machine the last test here forks from it and uses the GPU, and
.ci/gpu runs every grader through its workers."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import torch

import autodiff_kata.engine
from autodiff_kata.engine import FORWARD_MODE, WARM, warmed_for, warmed_in_worker
from autodiff_kata.engine.supervisor import isolating_users
from autodiff_kata.registry import EXERCISES, in_part

WORK = """
import json, sys
import torch
from torch.autograd.variable import Variable
import autodiff_kata.engine as engine
work = []
class Recording:
    def __init__(self, engine):
        self.engine = engine
    def run_backward(self, *args, **kwargs):
        work.append("backward pass")
        return self.engine.run_backward(*args, **kwargs)
    def __getattr__(self, name):
        return getattr(self.engine, name)
Variable._execution_engine = Recording(Variable._execution_engine)
compile = torch.compile
def recorded(*args, **kwargs):
    work.append("compile")
    return compile(*args, **kwargs)
torch.compile = recorded
engine.gpu_possible = lambda: sys.argv[1] == "gpu"
import autodiff_kata.engine.warm
print(json.dumps([sorted(set(work)), engine.warmed_by_parent()]))
"""


@pytest.mark.parametrize("machine", ["without-gpu", "gpu"])
def test_the_warm_parent_compiles_and_runs_backward_only_without_a_gpu(machine):
    everything = f"eager,aot_eager,{FORWARD_MODE}"
    done = subprocess.run(
        [sys.executable, "-c", WORK, machine],
        env={**os.environ, WARM: everything},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    work, warmed = json.loads(done.stdout.splitlines()[-1])
    if machine == "gpu":
        assert work == [], f"on a machine that may have a GPU, the warm parent ran: {work}"
        assert warmed == [], "its workers must prepare what their parent did not"
    else:
        assert work == ["backward pass", "compile"], "the recorders missed the warm-up"
        assert warmed == everything.split(",")


def test_it_warms_what_the_graded_exercises_use():
    chapter, everything = in_part(1), EXERCISES
    without_graphs = [e for e in everything if not e.graph_mode and not e.forward_mode]
    assert warmed_for(chapter) == ["eager", "aot_eager"]
    assert warmed_for(everything) == ["eager", "aot_eager", FORWARD_MODE]
    assert warmed_for(without_graphs) == []


def test_a_worker_prepares_what_its_parent_did_not(monkeypatch):
    monkeypatch.setattr(autodiff_kata.engine, "gpu_possible", lambda: False)
    through_aot = next(e for e in EXERCISES if e.aot_autograd)
    eager_only = next(e for e in EXERCISES if e.graph_mode and not e.aot_autograd)
    forward_mode = next(e for e in EXERCISES if e.forward_mode)
    monkeypatch.setenv(WARM, "eager")  # a one-off grade's parent
    assert warmed_in_worker(through_aot) == ("aot_eager",)
    assert warmed_in_worker(eager_only) == ()
    assert warmed_in_worker(forward_mode) == (FORWARD_MODE,)
    monkeypatch.setenv(WARM, ",".join(warmed_for(in_part(1))))  # compare's, of the chapter
    assert warmed_in_worker(through_aot) == ()
    assert warmed_in_worker(forward_mode) == (FORWARD_MODE,)
    monkeypatch.setenv(WARM, "")  # a parent that was never asked
    assert warmed_in_worker(through_aot) == ("eager", "aot_eager")
    monkeypatch.setenv(WARM, ",".join(warmed_for(in_part(1))))
    monkeypatch.setattr(autodiff_kata.engine, "gpu_possible", lambda: True)  # it only imports
    assert warmed_in_worker(through_aot) == ("eager", "aot_eager")


def test_the_warm_up_of_nothing_imports_and_runs():
    """Its process ends as it would have: with its own status, and all it printed."""
    ends = "import autodiff_kata.engine.warm; print('imported'); raise SystemExit(3)"
    done = subprocess.run(
        [sys.executable, "-c", ends],
        env={**os.environ, WARM: ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (done.returncode, done.stdout) == (3, "imported\n"), done.stderr[-2000:]


FORKED = """
import json, os, sys
import autodiff_kata.engine.warm  # the warm parent's preload, as the forkserver runs it
import torch
from autodiff_kata.engine import worker

def backward(device):
    x = torch.ones(2, device=device, requires_grad=True)
    (x * x).sum().backward()
    return x.grad.tolist()

checks = {
    "CUDA": lambda: float((torch.ones(2, device="cuda") * 2).sum()),
    "a backward pass on the CPU": lambda: backward("cpu"),
    "a backward pass on CUDA": lambda: backward("cuda"),
    "the worker's own preparation": lambda: worker.prepare(("eager", "aot_eager", "forward-mode")),
    "a backward pass on CUDA after it": lambda: backward("cuda"),
}
read, write = os.pipe()
if os.fork() == 0:  # as the forkserver starts a worker
    failed = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as error:
            failed[name] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    os.write(write, json.dumps(failed).encode())
    os._exit(0)
os.close(write)
print(os.read(read, 1 << 16).decode())
"""


@pytest.mark.skipif(
    not torch.cuda.is_available(), reason="CUDA not available: no GPU on this machine"
)
def test_a_process_forked_from_the_warm_parent_uses_the_gpu():
    """On a GPU machine, the real thing: what the warm parent did, a worker can still do."""
    done = subprocess.run(
        [sys.executable, "-c", FORKED],
        env={**os.environ, WARM: f"eager,aot_eager,{FORWARD_MODE}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    failed = json.loads(done.stdout.splitlines()[-1])
    assert failed == {}, f"forked from the warm parent, these failed: {failed}"


@pytest.mark.parametrize(
    ("cuda_build", "device_files", "possible"),
    [(True, True, True), (True, False, False), (False, True, False)],
    ids=["cuda-build-with-driver", "cuda-build-without", "cpu-build-with-driver"],
)
def test_a_gpu_is_possible_where_torch_and_the_machine_both_have_one(
    monkeypatch, cuda_build, device_files, possible
):
    """A CPU build of torch registers no GPU with autograd: its parent may warm up, GPU or not."""
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(torch.backends.cuda, "is_built", lambda: cuda_build)
    monkeypatch.setattr(os.path, "exists", lambda path: device_files and path == "/dev/nvidiactl")
    assert autodiff_kata.engine.gpu_possible() is possible


FORKED_FROM_CALLER = """
import atexit, json, multiprocessing.forkserver, os, sys
from autodiff_kata.engine import supervisor, warm_up
from autodiff_kata.registry import find

read, write = os.pipe()  # a pipe of the grading process's own, as a session's to compare
atexit.register(os.write, 1, b"the grading process's exit handler ran\\n")
warm_up([find(1)], long_lived=True, forked=True)
parent = multiprocessing.forkserver._forkserver._forkserver_pid
worker = supervisor.Worker(supervisor.Limits())
source = (  # the folders on its path through which the grading process's script is in sight
    "import os, sys\\n"
    "raise RuntimeError([p for p in sys.path if os.path.exists(os.path.join(p, 'session.py'))])\\n"
)
request = {"op": "load", "name": "path", "source": source, "filename": "path.py", "seconds": 60}
reply = worker.request(request, 60)
worker.close()
os.close(write)
os.set_blocking(read, False)
try:
    held = os.read(read, 1) != b""
except BlockingIOError:  # a process forked from this one still holds its write end
    held = True
with open(f"/proc/{parent}/cmdline", "rb") as cmdline:
    forked = cmdline.read() == open("/proc/self/cmdline", "rb").read()
print(json.dumps({"forked": forked, "held": held, "reply": reply}), flush=True)
"""


@pytest.fixture
def out_of_reach():
    """A folder no other user can reach, outside the folders where any user may write (each
    worker of a user of its own has its own of those)."""
    folder = Path(tempfile.mkdtemp(prefix="autodiff-kata-test-", dir=Path.home()))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the warm parent through /proc")
def test_a_warm_parent_forked_from_its_grading_process_keeps_nothing_of_it(out_of_reach):
    """A compare session forks its warm parent once it has loaded torch: what a new
    interpreter would not have (its files, its exit handlers, its script's folder on the
    path, which a worker of a user of its own would be given an open descriptor of) must
    reach neither the parent nor the workers forked from it."""
    script = out_of_reach / "caller" / "session.py"
    script.parent.mkdir()
    script.write_text(FORKED_FROM_CALLER)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )  # returns once the warm parent, which shares its output, has ended with it
    lines = done.stdout.splitlines()
    found = json.loads(lines[0])
    assert found["forked"], "the warm parent is a new interpreter: nothing tested"
    assert not found["held"], "the warm parent, or a worker, kept the grading process's pipe"
    assert found["reply"]["kind"] == "import error", found["reply"]
    if isolating_users():  # else the worker, of the same user, reaches it anyway
        assert found["reply"]["error"] == "RuntimeError: []", "its script's folder is in sight"
    assert lines[1:] == ["the grading process's exit handler ran"], "run again by the parent"
