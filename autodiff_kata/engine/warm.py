"""The warm parent's preload: imported once by the forkserver that every worker is forked from.

It imports torch, TorchDynamo and the worker's own modules, and compiles a trivial function
once with each cheap backend, and runs torch.func's forward mode once, as the caller asked
(engine.warm_up: what the exercises it grades use), so that a worker starts with all of that
done. It never initialises CUDA: a process forked after CUDA is initialised cannot use it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

# Where a CUDA check happens anyway, ask NVML, which leaves the driver uninitialised.
os.environ.setdefault("PYTORCH_NVML_BASED_CUDA_CHECK", "1")

import torch
import torch._dynamo

from autodiff_kata import functions  # noqa: F401  (unpickles the graders' functions)
from autodiff_kata.engine import (
    FORWARD_MODE,
    WARM,
    worker,  # forked workers start with it loaded
)

#: What TorchDynamo and the optimiser ask before they touch a GPU, answered "none" while the
#: parent warms up: the answer "yes" leads them to CUDA calls that initialise the driver.
_NO_GPU = [
    (torch.cuda, {"is_available": False, "device_count": 0}),
    (getattr(torch, "accelerator", None), {  # torch 2.6 on
        "is_available": False,
        "device_count": 0,
        "current_accelerator": None,
    }),
]  # fmt: skip


@contextmanager
def _gpu_hidden() -> Iterator[None]:
    """No GPU is seen while the parent warms up. A CUDA driver initialised here is unusable in
    every worker forked from it: TorchDynamo saves CUDA's random state around each compile
    when CUDA is available, and reads the current accelerator (`cudaGetDeviceCount`), and the
    workers' first CUDA call then failed ("Cannot re-initialize CUDA in forked subprocess",
    then "CUDA error: initialization error")."""
    with ExitStack() as stack:
        for module, answers in _NO_GPU:
            for name, answer in answers.items() if module else ():
                stack.enter_context(mock.patch.object(module, name, lambda *_, a=answer, **__: a))
        yield


def _warm() -> None:
    def derivative(x: torch.Tensor) -> torch.Tensor:
        return torch.func.grad(lambda y: (y * y).sum())(x)

    x = torch.nn.Parameter(torch.tensor([1.0]))
    warmed = [name for name in os.environ.get(WARM, "").split(",") if name]
    if FORWARD_MODE in warmed:
        warmed.remove(FORWARD_MODE)
        torch.func.jvp(derivative, (x.detach(),), (x.detach(),))
    for backend in warmed:
        compiled = torch.compile(derivative, backend=backend, fullgraph=True)
        compiled(torch.tensor(1.0))
        loss = torch.compile(lambda y: (y * y).sum(), backend=backend, fullgraph=True)
        loss(x).backward()
    torch.optim.SGD([x], lr=0.1).step()
    torch._dynamo.reset()


with _gpu_hidden():
    _warm()
worker.UNREACHABLE = worker.unreachable_imports()  # the folders a worker of its own user opens
