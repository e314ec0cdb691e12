"""The worker: the one process that runs a submission's code, one exercise per worker.

Forked from the warm parent (`warm`), it contains itself before any learner code runs (its
own session, a child subreaper, memory and file-size limits, an unprivileged user when
started as root, its output into a capped pipe), installs the recorders that gather the
evidence of method, then answers the trusted side's requests: load the module from its
source, call a function, restore torch's state between tests. Every answer goes through
`wire`, so whatever learner code does here, only plain data reaches the verdict.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import faulthandler
import functools
import importlib
import linecache
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import pickle
import resource
import shutil
import signal
import stat
import sys
import threading
import time
import traceback
import types
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any
from unittest import mock

import torch

from autodiff_kata.engine import FORWARD_MODE, wire
from autodiff_kata.engine.cgroups import CGROUPS, cgroup_folder
from autodiff_kata.engine.supervisor import (
    SHARED_FOLDERS,
    Settings,
    parent_of,
    remove_files_of,
    started_at,
)
from autodiff_kata.spies import CompileRecorder, OperationCounter, SGDRecorder

PR_SET_CHILD_SUBREAPER = 36
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # what ends a process group from outside
CLONE_NEWNS = 0x00020000  # unshare(2): a mount namespace of its own
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000  # mount(2)'s flags
MODULE_PREFIX = "_submission_"
FRAMES_SHOWN = 10  # the learner's frames shown from each end of an error's traceback


def contain(settings: Settings, output_fd: int) -> Callable[[], None]:
    """Run first thing in the worker, before anything of the submission's; returns how the
    worker ends once its grading process is gone (`_end_with_the_grading_process`)."""
    os.setsid()  # its own process group and session: one signal reaches all of it
    for ending in ENDING_SIGNALS:  # the warm parent's way of ending (warm), not its own
        signal.signal(ending, signal.SIG_DFL)
    if sys.platform.startswith("linux"):  # orphans of its children come back to it
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if settings.memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (settings.memory_bytes, settings.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (settings.file_bytes, settings.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if settings.uid is not None:
        _keep_importing()  # first: the folders it opens may be hidden next
        _folders_of_its_own(settings.scratch, settings.uid)
        _cgroups_of_its_own(settings.cores, settings.tree_memory_bytes)
        os.environ.update(USER="kata-worker", LOGNAME="kata-worker")
        resource.setrlimit(resource.RLIMIT_NPROC, (settings.max_processes, settings.max_processes))
        os.setgroups([])
        os.setgid(settings.uid)
        os.setuid(settings.uid)
    if settings.scratch:
        os.chdir(settings.scratch)
        os.environ.update(TMPDIR=settings.scratch, HOME=settings.scratch)
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(settings.scratch, "inductor")
    _drop_inherited_pipes()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(devnull)
    faulthandler.enable()  # a segfault prints the learner's stack into the captured output
    return _end_with_the_grading_process(settings)


def _folders_of_its_own(scratch: str, uid: int) -> None:
    """Give the worker a tmpfs of its own, of a fixed size, at each folder where any user may
    write (supervisor.SHARED_FOLDERS), in a mount namespace of its own (Linux, as root: the
    worker still is), and its scratch folder inside its own /tmp. What it writes there then
    fills neither the machine's disk nor its memory (files in /dev/shm take memory that no
    limit of the worker's counts: another grading's processes would be the ones the kernel
    kills), nor outlives it. Where no namespace can be made (a container without
    CAP_SYS_ADMIN), the folders stay the machine's, and what the worker left there is removed
    when it is closed (supervisor.remove_files_of)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        return
    # Mounts made here must not reach the machine's namespace: none is made unless "/" and
    # all below it stop sharing theirs.
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return
    folders = {folder: size for folder, size in SHARED_FOLDERS.items() if os.path.isdir(folder)}
    hidden = bool(scratch) and any(_within(scratch, folder) for folder in folders)
    if hidden:  # made empty for this worker: made again below, in the worker's own /tmp
        with contextlib.suppress(OSError):
            os.rmdir(scratch)
    for folder, size in folders.items():
        options = f"size={size},mode=1777".encode()
        libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options)
    if scratch:
        os.makedirs(scratch, mode=0o700, exist_ok=True)
        if not hidden:  # elsewhere than where any user may write: a tmpfs of its own too
            options = f"size={SHARED_FOLDERS['/tmp']},mode=700".encode()
            libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options)
        os.chown(scratch, uid, uid)


def _cgroups_of_its_own(cores: float, memory_bytes: int | None) -> None:
    """Put the worker in control groups of its own (Linux, as root: the worker still is;
    cgroup v1's cpu and memory hierarchies, or v2's single one), where it and all it starts
    may use `cores` processors and `memory_bytes` of memory at most: code that keeps many
    processes busy, each in a session of its own, or fills memory a process at a time, each
    under its own limit, then cannot starve the exercises graded beside it (compare's other
    jobs) past their time limits, nor have the kernel kill their processes for memory. Where
    no group can be made (a container whose cgroups are read-only), the scheduler alone
    shares the processors. The supervisor removes the groups as the worker is closed, and
    the warm parent as it ends (supervisor.remove_cgroups_at_exit)."""
    period = 100_000  # µs
    quota = max(1_000, int(cores * period))
    memory = {} if memory_bytes is None else {"memory": str(memory_bytes)}
    for hierarchy in CGROUPS:
        if os.path.exists(os.path.join(hierarchy, "cpu.cfs_quota_us")):  # v1
            limits = {"cpu.cfs_quota_us": str(quota)}
        elif os.path.exists(os.path.join(hierarchy, "memory.limit_in_bytes")):  # v1
            if not memory:
                continue
            limits = {"memory.limit_in_bytes": memory["memory"]}
        elif os.path.exists(os.path.join(hierarchy, "cgroup.subtree_control")):  # v2
            for controller in ("cpu", *memory):
                with contextlib.suppress(OSError):
                    _write(os.path.join(hierarchy, "cgroup.subtree_control"), f"+{controller}")
            limits = {"cpu.max": f"{quota} {period}"}
            limits.update({"memory.max": memory["memory"]} if memory else {})
        else:
            continue
        group = str(cgroup_folder(hierarchy, os.getpid()))
        try:
            os.mkdir(group, 0o755)
            for name, value in limits.items():
                _write(os.path.join(group, name), value)
            _write(os.path.join(group, "cgroup.procs"), str(os.getpid()))
        except OSError:
            with contextlib.suppress(OSError):
                os.rmdir(group)


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def _end_with_the_grading_process(settings: Settings) -> Callable[[], None]:
    """A grading process killed outright cannot stop its workers, nor remove their files. A
    thread of the worker's own watches for that (the grading process gone, or its warm
    parent, the worker's parent, which exits with it), then ends the worker: removes its
    scratch folder (with a user of its own: every file of that user's) and kills it and all it
    started (every process of that user's). A worker waiting for a request learns it sooner,
    from its closed connection, and ends the same way (the returned function)."""
    parent, getppid, sleep, kill, killpg = os.getppid(), os.getppid, time.sleep, os.kill, os.killpg
    rmtree, remove, uid = shutil.rmtree, remove_files_of, settings.uid
    waitpid, monotonic, started = os.waitpid, time.monotonic, started_at
    grading = parent_of(parent)
    since = started(grading)

    def end() -> None:
        if settings.scratch:
            rmtree(settings.scratch, ignore_errors=True)
        if uid is not None:
            remove(uid)
            kill(-1, signal.SIGKILL)  # every process of its user's but itself
            # Reap them (its children, and the orphans it adopted): a process not reaped
            # keeps its control groups in use, and the warm parent could not remove them.
            deadline = monotonic() + 2
            with contextlib.suppress(ChildProcessError):
                while waitpid(-1, os.WNOHANG)[0] or monotonic() < deadline:
                    sleep(0.01)
        killpg(0, signal.SIGKILL)

    def watch() -> None:
        # Never the thread a signal is delivered to: the worker's alarm is its main thread's.
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        while getppid() == parent and started(grading) == since:
            sleep(0.5)
        end()

    threading.Thread(target=watch, name="autodiff-kata-watch", daemon=True).start()
    return end


def _drop_inherited_pipes() -> None:
    """Close the grading process's pipes the forkserver hands every child: to its resource
    tracker (a name registered there is unlinked by the grading user when it ends) and the
    forkserver's liveness pipe (a byte there makes the forkserver fail and exit)."""
    tracker = multiprocessing.resource_tracker._resource_tracker
    server = multiprocessing.forkserver._forkserver
    for fd in (tracker._fd, server._forkserver_alive_fd):
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
    tracker._fd = None
    server._forkserver_alive_fd = None


def _reachable(path: str) -> bool:
    """Whether a worker of a user of its own can still list `path`: every folder above it is
    open to a user with no rights, and none is a folder where any user may write, which the
    worker's own tmpfs hides (`_folders_of_its_own`)."""
    path = os.path.abspath(path)
    return _listable(path) and not any(_within(path, folder) for folder in SHARED_FOLDERS)


def _writable_by_all(path: str) -> bool:
    return bool(os.stat(path).st_mode & stat.S_IWOTH)


@functools.cache
def _listable(folder: str) -> bool:
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return False
    parent = os.path.dirname(folder)
    return bool(mode & stat.S_IXOTH) and (parent == folder or _listable(parent))


def _within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies below it."""
    return path == folder or path.startswith(folder + os.sep)


@dataclass(frozen=True)
class _Unreachable:
    """The folders imports come from that a user with no rights could not list, and the
    packages imported from them."""

    folders: tuple[str, ...]  # a folder before those in it
    packages: tuple[str, ...]  # names in sys.modules


def unreachable_imports() -> _Unreachable:
    """Found once in the warm parent (`warm`): in each worker, walking every module of torch
    would copy most of the parent's memory pages, only to find the same answer."""
    entries = {
        name: list(paths)
        for name, module in list(sys.modules.items())
        if isinstance(paths := getattr(module, "__path__", None), list)
    }
    # None that any user may write to: an open descriptor would be a way past its own tmpfs.
    folders: list[str] = []
    every = set(sys.path) | {entry for paths in entries.values() for entry in paths}
    for entry in sorted(every, key=len):  # a folder before those in it
        inside = any(_within(entry, folder) for folder in folders)
        usable = entry and os.path.isdir(entry) and not _writable_by_all(entry)
        if usable and not inside and not _reachable(entry):
            folders.append(entry)
    packages = tuple(
        name
        for name, paths in entries.items()
        if any(_within(path, folder) for path in paths for folder in folders)
    )
    return _Unreachable(tuple(folders), packages)


UNREACHABLE: _Unreachable | None = None  # set in the warm parent, before any worker is forked


def _keep_importing() -> None:
    """Python's own library may sit where another user cannot reach it (installed under
    /root), and so may the project (an editable install, found by its package's own folder
    rather than sys.path), and either may lie in /tmp, which the worker's own tmpfs hides: the
    folders on sys.path and of packages already imported that the worker could not list are
    opened now, before the mounts and the switch, and imports go through the open descriptors
    (/proc/self/fd/N) instead."""
    unreachable = UNREACHABLE or unreachable_imports()
    aliases: dict[str, str] = {}
    for folder in unreachable.folders:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        aliases[folder] = f"/proc/self/fd/{fd}"
    if not aliases:
        return

    def alias(path: str) -> str:
        for original, through in aliases.items():
            if _within(path, original):
                return through + path[len(original) :]
        return path

    sys.path[:] = [alias(entry) for entry in sys.path]
    for name in unreachable.packages:
        paths = getattr(sys.modules.get(name), "__path__", None)
        if isinstance(paths, list):
            paths[:] = [alias(entry) for entry in paths]
    sys.path_importer_cache.clear()
    read_source = linecache.updatecache

    def updatecache(filename: str, module_globals: Any = None) -> list[str]:
        """Source read through the alias and cached under the module's own file name, which
        code objects and tracebacks carry (torch.func reads stdlib source with inspect)."""
        through = alias(filename)
        if through == filename:
            return read_source(filename, module_globals)
        lines = read_source(through, module_globals)
        if lines:  # mtime None: checkcache keeps it, as for source that came from a loader
            linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)
        return lines

    linecache.updatecache = updatecache


# what a worker prepares before it is needed --------------------------------------------------

#: What TorchDynamo and the optimiser ask before they touch a GPU, answered "none" while a
#: worker prepares.
_NO_GPU = [
    (torch.cuda, {"is_available": False, "device_count": 0}),
    (getattr(torch, "accelerator", None), {  # torch 2.6 on
        "is_available": False,
        "device_count": 0,
        "current_accelerator": None,
    }),
]  # fmt: skip


@contextmanager
def gpu_hidden() -> Iterator[None]:
    """No GPU is seen from Python while a worker prepares: TorchDynamo saves CUDA's random
    state around each compile when CUDA is available, which would make a CUDA context (time,
    and the device's memory) in a worker whose exercise may use no GPU. It cannot keep the
    driver itself from starting, which C++ does (engine.gpu_possible): hence a warm parent
    that may see a GPU prepares nothing."""
    with contextlib.ExitStack() as stack:
        for module, answers in _NO_GPU:
            for name, answer in answers.items() if module else ():
                stack.enter_context(mock.patch.object(module, name, lambda *_, a=answer, **__: a))
        yield


def prepare(warmed: tuple[str, ...]) -> None:
    """Run once what a grader's first call would otherwise pay for (engine.warmed_for): a
    compile with each backend named, through torch.func and a backward pass (the first one
    with "aot_eager" imports most of inductor, 0.8 s), and torch.func's forward mode, named
    FORWARD_MODE (0.1-0.3 s in torch 2.13; a watch re-grade of exercise 13 takes 0.25 s
    less for it)."""

    def derivative(x: torch.Tensor) -> torch.Tensor:
        return torch.func.grad(lambda y: (y * y).sum())(x)

    x = torch.nn.Parameter(torch.tensor([1.0]))
    with gpu_hidden():
        for name in warmed:
            if name == FORWARD_MODE:
                torch.func.jvp(derivative, (x.detach(),), (x.detach(),))
                continue
            compiled = torch.compile(derivative, backend=name, fullgraph=True)
            compiled(torch.tensor(1.0))
            loss = torch.compile(lambda y: (y * y).sum(), backend=name, fullgraph=True)
            loss(x).backward()
        torch._dynamo.reset()


# torch's global state ------------------------------------------------------------------------


@dataclass
class TorchState:
    """Torch's global settings, to undo whatever a test's code changed."""

    grad_enabled: bool
    default_dtype: torch.dtype
    default_device: torch.device
    anomaly: bool
    deterministic: bool
    threads: int
    dynamo_config: dict[str, Any]

    @classmethod
    def now(cls) -> TorchState:
        import torch._dynamo

        return cls(
            torch.is_grad_enabled(),
            torch.get_default_dtype(),
            torch.get_default_device(),
            torch.is_anomaly_enabled(),
            torch.are_deterministic_algorithms_enabled(),
            torch.get_num_threads(),
            torch._dynamo.config.get_config_copy(),
        )

    def restore(self) -> None:
        import torch._dynamo

        torch.set_grad_enabled(self.grad_enabled)
        torch.set_default_dtype(self.default_dtype)
        if torch.get_default_device() != self.default_device:  # setting it costs every op after
            torch.set_default_device(self.default_device)
        torch.set_anomaly_enabled(self.anomaly)
        if torch.are_deterministic_algorithms_enabled() != self.deterministic:
            torch.use_deterministic_algorithms(self.deterministic)
        torch.set_num_threads(self.threads)
        config = torch._dynamo.config
        now = config.get_config_copy()
        for key, value in self.dynamo_config.items():
            if now[key] != value:
                setattr(config, key, value)
        torch._dynamo.reset()
        torch.manual_seed(0)


# learner code, guarded ---------------------------------------------------------------------


class Interrupted(BaseException):
    """The call ran past its time limit (raised by the alarm inside learner code)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise Interrupted

    if seconds <= 0:
        raise Interrupted
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _learner_frames(error: BaseException, filename: str) -> dict[str, Any]:
    """An error's facts: the traceback lines that point into the learner's file, with the
    error at the end (detail); the last such line's number (line); and the error in one line,
    its type and its message's first (error: torch adds lines of advice to its own, CUDA's).
    Of a runaway recursion (a million frames, each one slow to look up), the first and the
    last few frames."""
    first: list[tuple[types.FrameType, int]] = []
    last: deque[tuple[types.FrameType, int]] = deque(maxlen=FRAMES_SHOWN)
    left_out = 0
    for frame, line in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename != filename:
            continue
        if len(first) < FRAMES_SHOWN:
            first.append((frame, line))
            continue
        left_out += len(last) == FRAMES_SHOWN
        last.append((frame, line))
    frames = [*first, *last]
    name = os.path.basename(filename)
    lines = [
        f"  {name}:{line} in {frame.f_code.co_name}: {linecache.getline(filename, line).strip()}"
        for frame, line in frames
        if line is not None
    ]
    if left_out:
        lines.insert(len(first), f"  ... {left_out:,} more frames")
    try:
        said = str(error)
    except BaseException:
        said = "(its message could not be shown)"
    text = "\n".join([*lines, f"{type(error).__name__}: {said}".rstrip(": ")])
    first_line = said.strip().split("\n", 1)[0]  # the trusted side bounds it (proxy)
    return {
        "detail": text,
        "line": frames[-1][1] if frames else None,
        "error": f"{type(error).__name__}: {first_line}".rstrip(": "),
    }


def _raised_in(error: BaseException, filename: str) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1].filename == filename


def _out_of_memory(error: BaseException) -> bool:
    """Python's MemoryError, CUDA's OutOfMemoryError, or torch's CPU allocator refusing (a
    plain RuntimeError from C++, known only by its text)."""
    return isinstance(error, MemoryError | torch.OutOfMemoryError) or (
        type(error) is RuntimeError and "DefaultCPUAllocator: can't allocate memory" in str(error)
    )


class Worker:
    """Answers the trusted side's requests for one exercise's module."""

    def __init__(self) -> None:
        import torch._dynamo

        self.compiles = CompileRecorder()
        self.sgd = SGDRecorder(self.compiles)
        torch.compile = self.compiles.compile
        torch._dynamo.optimize = self.compiles.optimize
        torch._dynamo.optimize_assert = self.compiles.optimize_assert
        torch.optim.SGD = self.sgd.cls
        importlib.import_module("torch.optim.sgd").SGD = self.sgd.cls
        # Hypothesis hands each example a new function: each is a recompile, and must not
        # reach the limit past which dynamo silently falls back to eager.
        torch._dynamo.config.recompile_limit = 10_000
        torch._dynamo.config.accumulated_recompile_limit = 10_000
        # Each recompile stays static, as every first compile is: one marked dynamic traces
        # with symbolic shapes, and costs the graph-mode exercises a sixth of their grading.
        torch._dynamo.config.automatic_dynamic_shapes = False
        # After each compile, TorchDynamo flushes the CPU's cache to time the new guards, for
        # its logs alone: a fifth of every compile here, and graders compile for each example.
        guards = importlib.import_module("torch._dynamo.guards")
        if hasattr(guards, "profile_guard_manager"):
            guards.profile_guard_manager = lambda *args, **kwargs: 0.0
        self.module: types.ModuleType | None = None
        self.filename = ""
        self.state = TorchState.now()

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "load":
            return self.load(request["name"], request["source"], request["filename"],
                             request["seconds"])  # fmt: skip
        if op == "call":
            return self.call(request)
        if op == "reset":
            self.reset()
            return {"kind": "ok"}
        if op == "ready":  # answered once prepared
            return {"kind": "ok"}
        if op == "time":
            return self.time(request)
        raise ValueError(op)

    def load(self, name: str, source: str, filename: str, seconds: float) -> dict[str, Any]:
        self.filename = filename
        try:
            code = compile(source, filename, "exec", dont_inherit=True)
        except SyntaxError as error:
            text = f"{error.msg}\n    {(error.text or '').rstrip()}"
            return {"kind": "syntax error", "line": error.lineno, "detail": text}
        lines = source.splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
        module = types.ModuleType(MODULE_PREFIX + name)
        module.__file__ = filename
        sys.modules[module.__name__] = module  # dataclasses, inspect and dynamo look here
        try:
            with deadline(seconds):
                exec(code, module.__dict__)
        except Interrupted:
            return {"kind": "timed out"}
        except BaseException as error:
            if _out_of_memory(error):
                return {"kind": "out of memory"}
            return {"kind": "import error", **_learner_frames(error, filename)}
        self.module = module
        self.state = TorchState.now()
        return {"kind": "ok"}

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        name = request["function"]
        function = getattr(self.module, name, None)
        if not callable(function):
            return {"kind": "missing function"}
        self.compiles.backend_name = request["backend"]
        args, kwargs = request["args"], request["kwargs"]
        before = [_TensorState.of(t) for t in _tensors(args, kwargs)]
        started = time.monotonic()
        try:
            # Labels are followed in graph-mode exercises only: it costs every eager operation;
            # a call graded by its values alone gathers no evidence of method.
            gathering = request.get("evidence", True)
            self.sgd.judging = gathering
            following = (
                self.compiles.following() if request.get("follow") and gathering else nullcontext()
            )
            counter = OperationCounter() if request.get("count") else None
            scale = request.get("scale")
            scaled = _functions_scaled(self.module, scale) if scale else nullcontext()
            with deadline(request["seconds"]), following, counter or nullcontext(), scaled:
                value = function(*args, **kwargs)
        except Interrupted:
            return {"kind": "timed out"}
        except BaseException as error:
            if _out_of_memory(error):
                return {"kind": "out of memory"}
            if isinstance(error, NotImplementedError) and _raised_in(error, self.filename):
                return {"kind": "not implemented", "detail": str(error)}
            return {"kind": "raised", **_learner_frames(error, self.filename)}
        spent = time.monotonic() - started
        return {
            "kind": "ok",
            "value": wire.encode(value, self.compiles.produced),
            "inputs": [state.after() for state in before],
            "evidence": {**self.evidence(), "operations": counter and counter.operations},
            "spent": spent,
        }

    def time(self, request: dict[str, Any]) -> dict[str, Any]:
        """Seconds for `calls` calls, each on its own copy of the inputs (compare's probe):
        the submission's code alone, its optimiser steps counted but not checked."""
        function = getattr(self.module, request["function"], None)
        if not callable(function):
            return {"kind": "missing function"}
        self.sgd.judging = False
        inputs = [copy.deepcopy(request["args"]) for _ in range(request["calls"])]
        started = time.perf_counter()
        try:
            with deadline(request["seconds"]):
                for args in inputs:
                    function(*args, **request["kwargs"])
        except Interrupted:
            return {"kind": "timed out"}
        except BaseException as error:
            if _out_of_memory(error):
                return {"kind": "out of memory"}
            return {"kind": "raised", **_learner_frames(error, self.filename)}
        return {"kind": "ok", "seconds": time.perf_counter() - started}

    def evidence(self) -> dict[str, Any]:
        self.sgd.check_after_call()
        sgd = self.sgd
        return {
            "compile_calls": self.compiles.compile_calls,
            "graph_runs": self.compiles.graph_runs,
            "graph_breaks": self.compiles.graph_breaks,
            "break_reasons": self.compiles.graph_break_reasons(),
            "graphs": len(self.compiles.graphs),
            "gradient_graphs": self.compiles.gradient_graphs,
            "optimizers": sgd.optimizers,
            "steps": sgd.steps,
            "steps_with_closure": sgd.steps_with_closure,
            "steps_without_gradient": sgd.steps_without_gradient,
            "steps_off_update": sgd.steps_off_update,
            "changed_outside_steps": sgd.changed_outside_steps,
            "steps_with_compiled_gradient": sgd.steps_with_compiled_gradient,
            "closures_with_eager_loss": sgd.closures_with_eager_loss,
        }

    def reset(self) -> None:
        """Between tests: torch's settings as after the import, counts from zero."""
        self.state.restore()
        self.compiles.reset()
        self.compiles.clear_breaks()
        self.sgd.reset()


@contextmanager
def _functions_scaled(module: Any, scale: dict[str, float]) -> Iterator[None]:
    """Every torch.autograd.Function the submission defines, with what its methods named in
    `scale` return ("forward": the value, "backward": the gradients) multiplied: an answer
    that comes through them follows, one computed some other way does not."""
    functions = [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, torch.autograd.Function)
        and cls.__module__ == module.__name__
    ]
    replaced = []
    for cls in functions:
        for name, factor in scale.items():
            original = cls.__dict__.get(name)
            if name in ("forward", "backward") and original is not None:
                method = original.__func__ if isinstance(original, staticmethod) else original
                setattr(cls, name, staticmethod(_times(method, factor)))
                replaced.append((cls, name, original))
    try:
        yield
    finally:
        for cls, name, original in replaced:
            setattr(cls, name, original)


def _times(method: Any, factor: float) -> Any:
    def scaled(*args: Any, **kwargs: Any) -> Any:
        out = method(*args, **kwargs)
        if isinstance(out, tuple):
            return tuple(o * factor if isinstance(o, torch.Tensor) else o for o in out)
        return out * factor if isinstance(out, torch.Tensor) else out

    return scaled


def _tensors(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[torch.Tensor]:
    """The caller's tensors, in the order the proxy lists them too."""
    return [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]


@dataclass
class _TensorState:
    tensor: torch.Tensor
    version: int
    requires_grad: bool
    grad: torch.Tensor | None

    @classmethod
    def of(cls, tensor: torch.Tensor) -> _TensorState:
        return cls(tensor, tensor._version, tensor.requires_grad, tensor.grad)

    def after(self) -> dict[str, Any]:
        """What the call did to the caller's tensor, for the proxy to do to the original."""
        tensor = self.tensor
        grad_changed = tensor.grad is not self.grad
        return {
            "value": tensor.detach().clone(),
            "changed": tensor._version != self.version,
            "requires_grad": tensor.requires_grad,
            "grad_changed": grad_changed,
            "grad": wire.encode(tensor.grad) if grad_changed else ("none",),
        }


def main(conn: Any, output: Any, settings: Settings) -> None:
    """The forkserver's target: contain, then answer requests until the connection closes."""
    end = contain(settings, output.fileno())
    output.close()
    with contextlib.suppress(Exception):  # a warm-up that fails saves nothing, and costs nothing
        prepare(settings.warm)
    worker = Worker()
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):  # the grading process is gone: closing kills a worker first
            end()
        try:
            reply = worker.handle(pickle.loads(message))
        except BaseException as error:  # a fault of the worker's own, or learner code's doing
            reply = {"kind": "unreadable answer", "detail": f"{type(error).__name__}: {error}"}
        try:
            conn.send_bytes(wire.dumps(reply))
        except BaseException as error:
            reply = {"kind": "unreadable answer", "detail": f"{type(error).__name__}: {error}"}
            conn.send_bytes(wire.dumps(reply))
