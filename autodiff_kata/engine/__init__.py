"""The grading engine: learner code runs in a worker process, the verdict is decided outside it.

The trusted side (pytest with the graders and their oracles, the command line, compare) never
imports a submission. Each exercise gets a fresh worker, forked from a warm parent that has
preloaded torch and TorchDynamo (`warm`); the graders call the submission's functions through a
proxy (`proxy`) that sends the inputs and reads back the outputs and the evidence of method
gathered in the worker (`worker`), through a decoder that accepts plain data and tensors only
(`wire`). The supervisor (`supervisor`) bounds every wait, caps memory and output, and kills
the worker's whole process tree when the exercise ends.
"""

import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Iterable

from autodiff_kata.registry import EXERCISES, Exercise

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["autodiff_kata.engine.warm"])


# What the warm parent runs once (read by `warm`), named in this variable: compiles with the
# "eager" and "aot_eager" backends, and torch.func's forward mode over reverse mode
# (FORWARD_MODE: 2.5 s the first time, as it scripts its decompositions).
WARM = "AUTODIFF_KATA_WARM"
FORWARD_MODE = "forward-mode"


_ASKED: list[str] = []  # what this process's first call of warm_up asked for


def warm_up(exercises: Iterable[Exercise] | None = None, *, long_lived: bool = False) -> None:
    """Start the warm parent now, so that it preloads while the caller does other work
    (this module imports nothing heavy, so the caller can call this before importing torch),
    and prepares what the workers of `exercises` (default: every one) use (`warmed_for`).
    A process's first call decides: a later one (the plugin's, as pytest loads it inside
    watch or compare) changes nothing."""
    if not _ASKED:
        chosen = EXERCISES if exercises is None else exercises
        _ASKED.append(",".join(warmed_for(chosen, long_lived=long_lived)))
        os.environ[WARM] = _ASKED[0]  # read by the warm parent as it starts, or starts again
    multiprocessing.forkserver.ensure_running()


def warmed_for(exercises: Iterable[Exercise], *, long_lived: bool) -> list[str]:
    """What the warm parent runs once, by the registry: a compile with the "eager" backend for
    a graph-mode exercise; for a long-lived caller (watch, compare), whose workers would each
    pay on every grade what the parent pays once, "aot_eager" too (the chapter's values of
    exercises 4 and 8 go through AOTAutograd), and forward mode for a `forward_mode` one. A
    one-off grade warms only what a graph-mode worker needs first: the rest would cost the
    same in the parent as in the one worker that needs it, but earlier."""
    exercises = list(exercises)
    warmed = []
    if any(e.graph_mode for e in exercises):
        warmed += ["eager", "aot_eager"] if long_lived else ["eager"]
    if long_lived and any(e.forward_mode for e in exercises):
        warmed.append(FORWARD_MODE)
    return warmed
