"""The grading engine: learner code runs in a worker process, the verdict is decided outside it.

The trusted side (pytest with the graders and their oracles, the command line, compare) never
imports a submission. Each exercise gets a fresh worker, forked from a warm parent that has
preloaded torch and TorchDynamo (`warm`), and started while the exercise before it is graded,
so that it has prepared what its grader's first calls need; the graders call the submission's
functions through a proxy (`proxy`) that sends the inputs and reads back the outputs and the
evidence of method gathered in the worker (`worker`), through a decoder that accepts plain data
and tensors only (`wire`). The supervisor (`supervisor`) bounds every wait, caps memory and
output, and kills the worker's whole process tree when the exercise ends.
"""

import ctypes
import multiprocessing
import multiprocessing.forkserver
import os
import platform
import sys
from collections.abc import Iterable

from autodiff_kata.registry import EXERCISES, Exercise

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["autodiff_kata.engine.warm"])


# What the warm parent runs once (read by `warm`), named in this variable: compiles with the
# "eager" and "aot_eager" backends, and torch.func's forward mode over reverse mode
# (FORWARD_MODE). See worker.prepare.
WARM = "AUTODIFF_KATA_WARM"
FORWARD_MODE = "forward-mode"
PR_SET_DUMPABLE = 4  # prctl(2)


_ASKED: list[str] = []  # what this process's first call of warm_up asked for


def warm_up(exercises: Iterable[Exercise] | None = None, *, long_lived: bool = False) -> None:
    """Start the warm parent now, so that it preloads while the caller does other work
    (this module imports nothing heavy, so the caller can call this before importing torch),
    and runs once what the workers of `exercises` (default: every one) need first
    (`warmed_for`). A one-off grade has it run only the compile with the "eager" backend, for
    a graph-mode exercise: the rest each worker that needs it runs as it starts, while the
    exercise before it is graded (`warmed_in_worker`); for a long-lived caller (watch,
    compare), whose workers would each pay on every grade what the parent pays once, the
    parent runs all of it. A process's first call decides: a later one (the plugin's, as
    pytest loads it inside watch or compare) changes nothing."""
    untraceable()
    if not _ASKED:
        chosen = warmed_for(EXERCISES if exercises is None else exercises)
        _ASKED.append(",".join(chosen if long_lived else [w for w in chosen if w == "eager"]))
        os.environ[WARM] = _ASKED[0]  # read by the warm parent as it starts, or starts again
    multiprocessing.forkserver.ensure_running()


def untraceable() -> None:
    """Make this process one that other processes of its user can neither trace nor read or
    write the memory of (through ptrace or /proc/PID/mem; root still can): the grading process
    and the warm parent call it, so that a worker under the same user cannot reach into them
    to change a verdict, or what every later worker starts from. A worker forked from the
    warm parent starts so too, the early-started ones out of reach of the code before them."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def warmed_for(exercises: Iterable[Exercise]) -> list[str]:
    """What the first calls of these exercises' graders would pay for, by the registry: a
    compile with the "eager" backend for a graph-mode exercise, one with "aot_eager" for an
    `aot_autograd` one (it imports most of inductor, 0.8 s), torch.func's forward mode for a
    `forward_mode` one."""
    exercises = list(exercises)
    warmed = []
    if any(e.graph_mode for e in exercises):
        warmed.append("eager")
    if any(e.aot_autograd for e in exercises):
        warmed.append("aot_eager")
    if any(e.forward_mode for e in exercises):
        warmed.append(FORWARD_MODE)
    return warmed


def warmed_in_worker(exercise: Exercise) -> tuple[str, ...]:
    """What a worker of `exercise` runs as it starts (worker.prepare), before its first
    request: what its grader's first calls would pay for, less what the warm parent ran."""
    parent = warmed_by_parent()
    return tuple(name for name in warmed_for([exercise]) if name not in parent)


def warmed_by_parent() -> tuple[str, ...]:
    """What the warm parent runs once: named in WARM, which warm_up sets before it starts;
    nothing on a machine that may have a GPU (`gpu_possible`)."""
    if gpu_possible():
        return ()
    return tuple(name for name in os.environ.get(WARM, "").split(",") if name)


def gpu_possible() -> bool:
    """Whether this machine may have a GPU that torch could use: then the warm parent runs no
    warm-up, only imports, and each worker runs what it needs itself. A compile, and the
    first backward pass, start the GPU's driver in C++ (the autograd engine counts each
    device type's devices, and starts a thread for each device it finds), which no question
    answered "none" in Python can prevent; and no process forked after that can use CUDA
    ("CUDA error: initialization error"), nor autograd ("Unable to handle autograd's
    threading in combination with fork-based multiprocessing"): seen on an H100, where every
    worker failed. Asked of torch's build and the device files alone (NVIDIA's driver, WSL's
    GPU, AMD's ROCm; Apple silicon), so that it starts nothing, in whichever process asks
    (each has imported torch by then)."""
    import torch

    if sys.platform == "darwin":
        return torch.backends.mps.is_built() and platform.machine() == "arm64"
    devices = ("/dev/nvidiactl", "/dev/dxg", "/dev/kfd")
    return torch.backends.cuda.is_built() and any(map(os.path.exists, devices))
