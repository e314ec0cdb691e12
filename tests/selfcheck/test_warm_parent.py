"""The warm parent, which every worker is forked from, must leave CUDA alone: a CUDA driver
initialised there is unusable in every worker forked from it. Without a GPU this checks the
Python side: what its warm-up asks of torch.cuda and torch.accelerator (each such question,
answered truthfully on a GPU machine, led TorchDynamo on to initialise CUDA)."""

import json
import os
import subprocess
import sys

from autodiff_kata.engine import FORWARD_MODE, WARM

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
