"""The warm parent, which every worker is forked from, must leave CUDA alone: a CUDA driver
initialised there is unusable in every worker forked from it. Without a GPU this checks the
Python side: what its warm-up asks of torch.cuda and torch.accelerator (each such question,
answered truthfully on a GPU machine, led TorchDynamo on to initialise CUDA)."""

import json
import os
import subprocess
import sys

from autodiff_kata.engine import FORWARD_MODE, WARM, warmed_for, warmed_in_worker
from autodiff_kata.registry import EXERCISES, in_part

RECORD = """
import json, torch
asked = []
def recorded(module, name):
    original = getattr(module, name)
    def ask(*args, **kwargs):
        asked.append(f"{module.__name__}.{name}")
        return original(*args, **kwargs)
    setattr(module, name, ask)
for name in ("is_available", "device_count", "get_rng_state", "set_rng_state", "_lazy_init"):
    recorded(torch.cuda, name)
for name in ("is_available", "device_count", "current_accelerator", "current_stream"):
    recorded(torch.accelerator, name)
import autodiff_kata.engine.warm
print(json.dumps(asked))
"""


def test_the_warm_up_asks_nothing_of_cuda_or_the_accelerator():
    everything = f"eager,aot_eager,{FORWARD_MODE}"
    done = subprocess.run(
        [sys.executable, "-c", RECORD],
        env={**os.environ, WARM: everything},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    asked = json.loads(done.stdout.splitlines()[-1])
    assert asked == [], f"the warm parent asked {sorted(set(asked))} while warming up"


def test_it_warms_what_the_graded_exercises_use():
    chapter, everything = in_part(1), EXERCISES
    without_graphs = [e for e in everything if not e.graph_mode and not e.forward_mode]
    assert warmed_for(chapter) == ["eager", "aot_eager"]
    assert warmed_for(everything) == ["eager", "aot_eager", FORWARD_MODE]
    assert warmed_for(without_graphs) == []


def test_a_worker_prepares_what_its_parent_did_not(monkeypatch):
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
