"""Stand-ins a worker puts in place of torch.compile and torch.optim.SGD, to see how a
submission computes its answer and not only what the answer is.

`CompileRecorder` traces a submission's compiled functions for real with TorchDynamo (so
code that cannot compile, or that breaks the graph, fails as it would under inductor), but
hands the graphs to a cheap backend instead of inductor, which needs half a minute to
compile C++ on a small CPU: `eager` runs the captured graph as it is, `aot_eager` also
traces it through AOTAutograd, as inductor would, for a few tenths of a second more.

They live in the worker, beside the submission (engine.worker); the trusted side reads their
counts back as evidence (engine.proxy).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import torch

REAL_COMPILE = torch.compile
REAL_SGD = torch.optim.SGD


def compiling_with(backend: str | Callable) -> Callable[..., Any]:
    """A torch.compile that takes the same arguments but always compiles with `backend`;
    inductor's own settings (mode, options) go with inductor."""

    def compile(model: Callable | None = None, **options: Any) -> Any:
        for inductor_only in ("backend", "mode", "options"):
            options.pop(inductor_only, None)
        if model is None:  # used as @torch.compile(...)
            return REAL_COMPILE(backend=backend, **options)
        return REAL_COMPILE(model, backend=backend, **options)

    return compile


class CompileRecorder:
    """Counts torch.compile calls, captured graphs, graph runs and graph breaks."""

    def __repr__(self) -> str:
        return f"<{self.graph_runs} compiled graph runs>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __init__(self) -> None:
        from torch._dynamo.utils import counters

        self.backend_name = "eager"  # a test may ask for "aot_eager"
        self.compile_calls = 0
        self.graphs: list[torch.fx.GraphModule] = []
        self._counters = counters
        counters.clear()
        self.reset()

    def reset(self) -> None:
        """Start counting graph runs afresh (for the next hypothesis example). compile_calls
        and graph breaks keep counting: a module compiles its functions once, at import, and
        dynamo records a break once, when it compiles; a cached graph that runs again does
        not report it again."""
        self.graph_runs = 0
        self._recent_outputs: deque[torch.Tensor] = deque(maxlen=16)

    @property
    def graph_breaks(self) -> int:
        return sum(self._counters["graph_break"].values())

    def graph_break_reasons(self) -> list[str]:
        return [reason.split("\n")[0] for reason in self._counters["graph_break"]]

    def clear_breaks(self) -> None:
        self._counters.clear()

    def produced(self, tensor: torch.Tensor) -> bool:
        """Whether `tensor` came out of a recent run of a compiled graph: one of its outputs,
        a view of one (detach, reshape, squeeze share its memory), or a copy of one."""
        memory = tensor.untyped_storage().data_ptr()
        for out in self._recent_outputs:
            if out.untyped_storage().data_ptr() == memory and memory != 0:
                return True
            same_kind = (out.shape, out.dtype, out.device) == (
                tensor.shape,
                tensor.dtype,
                tensor.device,
            )
            if same_kind and torch.equal(out.detach(), tensor.detach()):
                return True
        return False

    def backend(self, graph: torch.fx.GraphModule, example_inputs: list[Any]) -> Callable:
        from torch._dynamo.backends.registry import lookup_backend

        self.graphs.append(graph)
        compiled = lookup_backend(self.backend_name)(graph, example_inputs)

        def run(*args: Any) -> Any:
            self.graph_runs += 1
            outputs = compiled(*args)
            self._recent_outputs.extend(o for o in outputs if isinstance(o, torch.Tensor))
            return outputs

        return run

    def compile(self, model: Callable | None = None, **options: Any) -> Any:
        """torch.compile with the same arguments, but this recorder as its backend."""
        self.compile_calls += 1
        return compiling_with(self.backend)(model, **options)


class SGDRecorder:
    """Counts the steps of every torch.optim.SGD a submission makes, and how they were taken."""

    def __repr__(self) -> str:
        return f"<{self.steps} SGD steps>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __init__(self) -> None:
        self.reset()
        recorder = self

        class RecordingSGD(REAL_SGD):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                recorder.optimizers += 1

            def step(self, closure: Callable | None = None) -> Any:
                recorder.steps += 1
                recorder.steps_with_closure += closure is not None
                return super().step(closure)

        RecordingSGD.__name__ = RecordingSGD.__qualname__ = "SGD"
        self.cls = RecordingSGD

    def reset(self) -> None:
        self.optimizers = 0
        self.steps = 0
        self.steps_with_closure = 0
