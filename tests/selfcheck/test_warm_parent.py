"""The warm parent, which every worker is forked from, must leave the GPU alone: a CUDA driver
started there is unusable in every worker forked from it, and so is autograd once its first
backward pass has started a thread for a GPU. Both start in C++, on a compile or a backward
pass, so on a machine that may have a GPU the parent runs neither: checked here by standing
in for that machine. On a GPU machine the last test here forks from it and uses the GPU, and
.ci/gpu runs every grader through its workers."""

import json
import os
import subprocess
import sys

import pytest
import torch

import autodiff_kata.engine
from autodiff_kata.engine import FORWARD_MODE, WARM, warmed_for, warmed_in_worker
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
