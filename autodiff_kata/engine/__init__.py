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

CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["autodiff_kata.engine.warm"])


# What the warm parent runs once (read by `warm`): the compile backend "eager" always; for a
# long-lived caller (watch, compare), "aot_eager" and torch.func's forward mode over reverse
# mode too (2.5 s the first time: it scripts its decompositions), which every worker of an
# exercise that uses them would otherwise pay again on every grade.
WARM = "AUTODIFF_KATA_WARM"
FORWARD_MODE = "forward-mode"


def warm_up(*, long_lived: bool = False) -> None:
    """Start the warm parent now, so that it preloads while the caller does other work
    (this module imports nothing heavy, so the caller can call this before importing torch).
    A one-off grade warms only what every graph-mode worker needs; the rest would cost the
    same in the parent as in the one worker that needs it, but earlier."""
    os.environ[WARM] = f"eager,aot_eager,{FORWARD_MODE}" if long_lived else "eager"
    multiprocessing.forkserver.ensure_running()
