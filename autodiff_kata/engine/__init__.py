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
from typing import NoReturn

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


def warm_up(
    exercises: Iterable[Exercise] | None = None, *, long_lived: bool = False, forked: bool = False
) -> None:
    """Start the warm parent now, so that it preloads while the caller does other work
    (this module imports nothing heavy, so the caller can call this before importing torch),
    and runs once what the workers of `exercises` (default: every one) need first
    (`warmed_for`). A one-off grade has it run only the compile with the "eager" backend, for
    a graph-mode exercise: the rest each worker that needs it runs as it starts, while the
    exercise before it is graded (`warmed_in_worker`); for a long-lived caller (watch,
    compare), whose workers would each pay on every grade what the parent pays once, the
    parent runs all of it. A process's first call decides: a later one (the plugin's, as
    pytest loads it inside watch or compare) changes nothing.

    `forked`: this process loads what the parent preloads, then forks the parent from itself
    (`_start_forked`), which so pays for no import of its own: for a caller that loads
    torch anyway, has no thread but its own and no other work meanwhile (a compare session,
    beside another that keeps the cores busy). Call it before loading anything a worker must
    not start with (the graders, the reference): every worker starts from the parent's memory."""
    untraceable()
    if not _ASKED:
        chosen = warmed_for(EXERCISES if exercises is None else exercises)
        _ASKED.append(",".join(chosen if long_lived else [w for w in chosen if w == "eager"]))
        os.environ[WARM] = _ASKED[0]  # read by the warm parent as it starts, or starts again
    if forked and sys.platform.startswith("linux"):  # where a mapping can be found (/proc)
        _start_forked()
    else:
        multiprocessing.forkserver.ensure_running()


def _start_forked() -> None:
    """multiprocessing's own ForkServer.ensure_running, whatever its protocol with the
    forkserver (Python 3.14's adds a key), with a fork of this process in place of the new
    interpreter it starts, which would import torch again."""
    import threading
    from multiprocessing import util

    import autodiff_kata.engine.worker
    import autodiff_kata.functions  # noqa: F401  (with the worker: what warm imports)

    if threading.active_count() > 1:  # only the forking thread would go on in the parent
        raise RuntimeError("the warm parent cannot be forked from a process with threads")
    spawn = util.spawnv_passfds

    def fork_in_its_place(path: str, args: list[str], passfds: list[int]) -> int:
        command = args.index("-c") + 1 if "-c" in args else None
        if command is None or "multiprocessing.forkserver" not in args[command]:
            return spawn(path, args, passfds)  # the resource tracker, started on the way
        util._flush_std_streams()  # or the parent would print what is buffered again
        pid = os.fork()
        if pid == 0:
            util.spawnv_passfds = spawn  # its workers' own, if they start one
            _serve_as_warm_parent(args[command], args[command + 1 :], passfds)
        return pid

    util.spawnv_passfds = fork_in_its_place
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        util.spawnv_passfds = spawn


def _serve_as_warm_parent(command: str, argv: list[str], passfds: list[int]) -> NoReturn:
    """The forked warm parent: it keeps none of the grading process's files (but its
    standard output and error, and those the forkserver passes it), memory shared with
    others, exit handlers, or script folder on its path, as the new interpreter would not
    have; then it runs that interpreter's command (`python -c COMMAND ARGS...`), the
    forkserver's loop, which imports `warm`, until the grading process ends."""
    import atexit
    import threading
    from multiprocessing import util

    code = 1
    try:
        atexit._clear()
        util._finalizer_registry.clear()
        multiprocessing.forkserver._forkserver._lock = threading.Lock()  # held by the caller
        kept = sorted({2, *passfds})
        for low, high in zip(kept, [*kept[1:], os.sysconf("SC_OPEN_MAX")], strict=True):
            os.closerange(low + 1, high)
        _unmap_shared_memory()
        if sys.path and not sys.flags.safe_path:
            sys.path[0] = ""  # `python -c`'s: the working folder, each worker's scratch
        sys.argv = ["-c", *argv]
        exec(command, {"__name__": "__main__"})
        code = 0
    except SystemExit as end:  # its grading process has ended, or a signal ends it (warm)
        code = end.code if isinstance(end.code, int) else 0
    except BaseException:
        sys.excepthook(*sys.exc_info())
    finally:
        atexit._run_exitfuncs()  # warm's own
        os._exit(code)


def _unmap_shared_memory() -> None:
    """Unmap every writable mapping this process shares with others: a compare session's
    semaphores, which guard its queues to compare and to the other session. Left mapped, every
    worker would have them too, whatever its user and its own /dev/shm, and one that held a
    semaphore as it was killed would stop the batch. Its objects stay; using one faults."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.munmap.argtypes = (ctypes.c_void_p, ctypes.c_size_t)
    with open("/proc/self/maps") as maps:
        spans = [line.split(None, 2)[:2] for line in maps]
    for span, permissions in spans:
        if permissions[1] == "w" and permissions[3] == "s":
            start, end = (int(address, 16) for address in span.split("-"))
            if libc.munmap(start, end - start) != 0:
                raise OSError(ctypes.get_errno(), f"munmap of {span}")


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
