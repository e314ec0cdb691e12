"""The warm parent's preload: imported once by the forkserver that every worker is forked from.

It imports torch, TorchDynamo and the worker's own modules, and runs once what the caller
asked (engine.warm_up: what the exercises it grades use; worker.prepare), so that a worker
starts with all of that done. It never initialises CUDA: a process forked after CUDA is
initialised cannot use it. On a machine that may have a GPU, it only imports.
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys

# Where a CUDA check happens anyway, ask NVML, which leaves the driver uninitialised.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

import torch
import torch._dynamo

from autodiff_kata import functions  # noqa: F401  (unpickles the graders' functions)
from autodiff_kata.engine import (
    gpu_possible,
    supervisor,
    untraceable,
    warmed_by_parent,
    worker,  # forked workers start with it loaded
)

untraceable()
atexit.register(supervisor.remove_cgroups_at_exit, os.getpid())
# A signal to the grading process's whole process group (a cancelled CI job's SIGTERM, a
# closed terminal's SIGHUP) reaches this process too: it then ends through Python's exit, so
# that the handler above still removes its workers' control groups (a worker's own it cannot).
for ending in worker.ENDING_SIGNALS:
    signal.signal(ending, lambda number, _: sys.exit(128 + number))

if not gpu_possible():  # where it may, this would start the GPU's driver (gpu_possible)
    worker.prepare(warmed_by_parent())
    torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1).step()
worker.UNREACHABLE = worker.unreachable_imports()  # the folders a worker of its own user opens
# What is loaded now stays as long as the process, and as every worker forked from it: out of
# the garbage collector's passes, it costs no collection its time, nor a worker a copy of the
# pages those passes would touch. And the warm parent, which ends when its grading process
# does, then ends in a fifth of a second, not after a second of collections that held the
# grading process's output open for whatever read it through a pipe (a script, an editor, CI).
gc.freeze()
