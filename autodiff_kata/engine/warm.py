"""The warm parent's preload: imported once by the forkserver that every worker is forked from.

It imports torch, TorchDynamo and the worker's own modules, and runs once what the caller
asked (engine.warm_up: what the exercises it grades use; worker.prepare), so that a worker
starts with all of that done. It never initialises CUDA: a process forked after CUDA is
initialised cannot use it.
"""

from __future__ import annotations

import atexit
import os

# Where a CUDA check happens anyway, ask NVML, which leaves the driver uninitialised.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

import torch
import torch._dynamo

from autodiff_kata import functions  # noqa: F401  (unpickles the graders' functions)
from autodiff_kata.engine import (
    warmed_by_parent,
    worker,  # forked workers start with it loaded
)

worker.prepare(warmed_by_parent())
with worker.gpu_hidden():
    torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1).step()
worker.UNREACHABLE = worker.unreachable_imports()  # the folders a worker of its own user opens
# It ends when its grading process does (multiprocessing's forkserver reads the end of its
# pipe): at once, not after tearing torch down, which held the grading process's output open,
# for whatever reads it through a pipe, for a second after the grading had ended.
atexit.register(os._exit, 0)
