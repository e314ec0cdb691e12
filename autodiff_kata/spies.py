"""Stand-ins a worker puts in place of torch.compile and torch.optim.SGD, to see how a
submission computes its answer and not only what the answer is.

`CompileRecorder` traces a submission's compiled functions for real with TorchDynamo (so
code that cannot compile, or that breaks the graph, fails as it would under inductor), but
hands the graphs to a cheap backend instead of inductor, which needs half a minute to
compile C++ on a small CPU: `eager` runs the captured graph as it is, `aot_eager` also
traces it through AOTAutograd, as inductor would, for a few tenths of a second more. It
also follows what the graphs computed: each output is labelled by whether the captured graph
computed it from a derivative, and while a submission's call runs (`following()`), a dispatch
mode carries the label to views (they share the output's memory) and copies, and drops it
when anything writes there but a copy of a labelled tensor. A value is only "from the
compiled graph" when it is one of its outputs, or a view or a copy of one: an eager
computation of the same number is not.

`OperationCounter` counts the torch functions a call runs: a batch's answers computed in a
Python loop run more of them for a bigger batch, vectorised ones (vmap) the same.

`SGDRecorder` checks every step by its effect: the parameters moved by lr·grad, nothing else
changed them between steps, and where the gradient it applied came from.

They live in the worker, beside the submission (engine.worker); the trusted side reads their
counts back as evidence (engine.proxy).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
import torch._dynamo
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import (
    TorchDispatchMode,
    _get_current_dispatch_mode,
    _pop_mode_temporarily,
)
from torch.utils.weak import WeakIdKeyDictionary

REAL_COMPILE = torch.compile
REAL_SGD = torch.optim.SGD
REAL_OPTIMIZE = torch._dynamo.optimize
REAL_OPTIMIZE_ASSERT = torch._dynamo.optimize_assert

# What a tensor's memory holds, as far as the recorder can tell (else: nothing it knows of).
GRADIENT = "gradient"  # an output of a captured graph computed from a derivative inside it
VALUE = "value"  # any other output of a captured graph (a loss, a copy, a cast)
BACKWARD = "backward"  # computed by a backward pass through a compiled graph's output
FROM_COMPILED_GRADIENT = (GRADIENT, BACKWARD)

# Calls in a captured graph that differentiate: torch.func's reverse and forward modes, and
# torch.autograd.grad / backward traced with torch._dynamo.config.trace_autograd_ops.
_DERIVATIVES = {"_autograd_grad", "grad", "backward", "_unpack_dual", "unpack_dual"}
# Whether TorchDynamo compiles with a dispatch mode on (recent torch, by the mode's
# ignore_compile_internals); before, it runs every frame in eager code under one, so labels
# follow outputs and their views only, and a backward pass through a compiled output since
# the last optimiser step stands for the gradient's label.
FOLLOWS = hasattr(TorchDispatchMode, "ignore_compile_internals")
_aten = torch.ops.aten
_COPIES = {
    _aten.clone, _aten._to_copy, _aten.lift_fresh_copy, _aten.copy, _aten.alias_copy,
    _aten.detach_copy, _aten.view_copy, _aten.expand_copy, _aten.squeeze_copy,
    _aten.unsqueeze_copy, _aten._unsafe_view,
}  # fmt: skip
# Operations that make a tensor of Python numbers: torch.tensor(d.item()) is a copy of d.
_FROM_NUMBERS = {_aten.lift_fresh, _aten.full, _aten.scalar_tensor}
# In-place operations that write no values: they change a tensor's shape, or the memory it
# points at (set_: copy.deepcopy, torch.from_numpy), not what that memory holds.
_METADATA_IN_PLACE = {
    _aten.squeeze_, _aten.unsqueeze_, _aten.detach_, _aten.t_, _aten.transpose_,
    _aten.swapdims_, _aten.as_strided_, _aten.set_,
}  # fmt: skip


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


def _differentiates(node: torch.fx.Node) -> bool:
    if node.op == "call_method":
        return node.target == "backward"
    return (
        node.op == "call_function"
        and getattr(node.target, "__name__", "") in _DERIVATIVES
        and str(getattr(node.target, "__module__", "")).startswith("torch")
    )


def _differentiates_inside(node: torch.fx.Node, graph: torch.fx.GraphModule) -> bool:
    """A higher-order operator (torch.while_loop, torch.cond) whose subgraph takes a derivative:
    what it returns is computed from one."""
    for arg in node.all_input_nodes:
        inner = getattr(graph, str(arg.target), None) if arg.op == "get_attr" else None
        if isinstance(inner, torch.fx.GraphModule) and any(
            _differentiates(n) or _differentiates_inside(n, inner) for n in inner.graph.nodes
        ):
            return True
    return False


def output_kinds(graph: torch.fx.GraphModule) -> list[str]:
    """For each output of a captured graph: GRADIENT where a derivative taken inside the
    graph (or inside a subgraph of it) flows into it, VALUE where none does (a loss, or a
    mere copy of an input)."""
    derived: set[torch.fx.Node] = set()
    outputs: list[Any] = []
    for node in graph.graph.nodes:
        if node.op == "output":
            outputs = list(torch.utils._pytree.tree_leaves(node.args[0]))
        elif (
            _differentiates(node)
            or _differentiates_inside(node, graph)
            or any(arg in derived for arg in node.all_input_nodes)
        ):
            derived.add(node)
    return [GRADIENT if out in derived else VALUE for out in outputs]


def _tensors(value: Any) -> Iterator[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _tensors(item)


def _equal_to(tensor: torch.Tensor, sources: list[tuple[torch.Tensor, str]]) -> str | None:
    """The label of the first source `tensor` now equals, to the last bit; else None."""
    like = (tensor.shape, tensor.dtype, tensor.device)
    for source, kind in sources:
        if (source.shape, source.dtype, source.device) == like and torch.equal(source, tensor):
            return kind
    return None


class _Following(TorchDispatchMode):
    """Sees every eager operation of a submission's call, for the recorder to follow."""

    supports_higher_order_operators = True  # torch.cond, torch.while_loop: run as they are

    def __init__(self, recorder: CompileRecorder) -> None:
        super().__init__()
        self.recorder = recorder

    @classmethod
    def ignore_compile_internals(cls) -> bool:
        return True  # TorchDynamo still compiles while this mode is on

    def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        self.recorder.follow(func, args, kwargs, out)
        return out


@contextmanager
def _unfollowed() -> Iterator[None]:
    """Off the following mode while a captured graph runs (the mode would see each of its
    operations, twice the cost of the graph), where that mode is the innermost one."""
    if isinstance(_get_current_dispatch_mode(), _Following):
        with _pop_mode_temporarily():
            yield
    else:
        yield


class CompileRecorder:
    """Counts torch.compile calls, captured graphs, graph runs and graph breaks, and labels
    what the graphs computed (see the module's docstring)."""

    def __repr__(self) -> str:
        return f"<{self.graph_runs} compiled graph runs>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __init__(self) -> None:
        from torch._dynamo.utils import counters

        self.backend_name = "eager"  # a test may ask for "aot_eager"
        self.compile_calls = 0
        self.graphs: list[torch.fx.GraphModule] = []
        self.gradient_graphs = 0  # captured graphs that take a derivative
        self._counters = counters
        self._kinds: WeakIdKeyDictionary = WeakIdKeyDictionary()  # storage -> kind
        self._in_backward = False
        self.backward_passes = 0  # backward passes through a compiled graph's output
        self._read: deque[tuple[Any, str]] = deque(maxlen=16)  # numbers read out of labels
        # The autograd engine calls these from C++, inside a compiled function's frame too
        # (a backward() past a graph break): TorchDynamo must not trace them.
        self._backward_enters = torch._dynamo.disable(self._backward_enters)  # type: ignore[method-assign]
        self._backward_ends = torch._dynamo.disable(self._backward_ends)  # type: ignore[method-assign]
        counters.clear()
        self.reset()

    def reset(self) -> None:
        """Start counting graph runs afresh (for the next hypothesis example). compile_calls
        and graph breaks keep counting: a module compiles its functions once, at import, and
        dynamo records a break once, when it compiles; a cached graph that runs again does
        not report it again."""
        self.graph_runs = 0

    @property
    def graph_breaks(self) -> int:
        return sum(self._counters["graph_break"].values())

    def graph_break_reasons(self) -> list[str]:
        return [reason.split("\n")[0] for reason in self._counters["graph_break"]]

    def clear_breaks(self) -> None:
        self._counters.clear()

    # what a tensor holds ------------------------------------------------------------------

    def kind(self, tensor: Any) -> str | None:
        """GRADIENT, VALUE or BACKWARD where `tensor`'s memory holds what a compiled graph
        computed (see the module's docstring); None where it holds anything else."""
        if not isinstance(tensor, torch.Tensor):
            return None
        try:
            return self._kinds.get(tensor.untyped_storage())
        except (RuntimeError, NotImplementedError):  # a tensor without storage
            return None

    def produced(self, tensor: torch.Tensor) -> bool:
        """Whether `tensor` is a derivative that came out of a compiled graph: an output of
        a captured graph that takes the derivative itself, or a view or a copy of one."""
        return self.kind(tensor) == GRADIENT

    def _label(self, tensor: torch.Tensor, kind: str | None) -> None:
        try:
            storage = tensor.untyped_storage()
        except (RuntimeError, NotImplementedError):
            return
        if kind is None:
            self._kinds.pop(storage, None)
        else:
            self._kinds[storage] = kind

    @contextmanager
    def following(self) -> Iterator[None]:
        """Follow labels through the eager operations of the code run inside."""
        if not FOLLOWS:
            yield
            return
        with _Following(self):
            yield

    def follow(self, func: Any, args: Any, kwargs: dict[str, Any], out: Any) -> None:
        """After one eager operation: a copy or a view keeps the label of what it copies (a
        tensor made of numbers read out of a labelled one too, torch.tensor(d.item())); a
        write keeps a label only where it leaves its target equal to a labelled input (a
        copy_, or zeros plus a gradient), and drops it otherwise; everything a backward pass
        through a compiled graph computes is labelled BACKWARD."""
        schema = getattr(func, "_schema", None)  # None: a higher-order operator
        written: list[torch.Tensor] = []
        if (
            schema is not None
            and schema.is_mutable
            and func.overloadpacket not in _METADATA_IN_PLACE
        ):
            for position, argument in enumerate(schema.arguments):
                if argument.alias_info is not None and argument.alias_info.is_write:
                    target = args[position] if position < len(args) else kwargs.get(argument.name)
                    written.extend(_tensors(target))
        if self._in_backward:
            for tensor in (*_tensors(out), *written):
                self._label(tensor, BACKWARD)
            return
        if written:
            inputs = [*_tensors(list(args)), *_tensors(list(kwargs.values()))]
            sources = [
                (t, kind)
                for t in inputs
                if all(t is not w for w in written) and (kind := self.kind(t)) is not None
            ]
            for tensor in written:
                self._label(tensor, _equal_to(tensor, sources))
        elif schema is not None and func.overloadpacket in _COPIES:
            source = self.kind(args[0]) if args else None
            if source is not None:
                for tensor in _tensors(out):
                    self._label(tensor, source)
        elif schema is not None and func.overloadpacket is _aten._local_scalar_dense:
            source = self.kind(args[0])  # .item(), float(): a number read out of a tensor
            if source is not None:
                self._read.append((out, source))
        elif schema is not None and func.overloadpacket in _FROM_NUMBERS:
            self._label_if_read(out)

    def _label_if_read(self, tensor: Any) -> None:
        """Label a tensor made of numbers that were all read out of labelled tensors."""
        if not isinstance(tensor, torch.Tensor) or not 0 < tensor.numel() <= len(self._read):
            return
        numbers = tensor.flatten().tolist()
        kinds = {kind for value, kind in self._read if value in numbers}
        read = [value for value, _ in self._read]
        if len(kinds) == 1 and all(number in read for number in numbers):
            self._label(tensor, kinds.pop())

    def _backward_enters(self, grad: torch.Tensor) -> None:
        """A backward pass reached a compiled graph's output: what it computes from here on
        is the compiled graph's backward."""
        if not self._in_backward:
            self._in_backward = True
            torch.autograd.Variable._execution_engine.queue_callback(self._backward_ends)

    def _backward_ends(self) -> None:
        self._in_backward = False
        self.backward_passes += 1

    # the backend --------------------------------------------------------------------------

    def backend(self, graph: torch.fx.GraphModule, example_inputs: list[Any]) -> Callable:
        from torch._dynamo.backends.registry import lookup_backend

        self.graphs.append(graph)
        kinds = output_kinds(graph)
        self.gradient_graphs += GRADIENT in kinds
        compiled = lookup_backend(self.backend_name)(graph, example_inputs)

        def run(*args: Any) -> Any:
            self.graph_runs += 1
            inputs = [arg for arg in args if isinstance(arg, torch.Tensor)]
            versions = [tensor._version for tensor in inputs]
            with _unfollowed():  # what the graph computes inside is labelled by its outputs
                outputs = compiled(*args)
            for tensor, version in zip(inputs, versions, strict=True):
                if tensor._version != version:  # the graph wrote to its input
                    self._label(tensor, None)
            tensors = list(_tensors(outputs))
            if len(kinds) != len(tensors):  # outputs that are not tensors: label them alike
                derived = bool(kinds) and all(kind == GRADIENT for kind in kinds)
                kinds_now = [GRADIENT if derived else VALUE] * len(tensors)
            else:
                kinds_now = kinds
            for tensor, kind in zip(tensors, kinds_now, strict=True):
                self._label(tensor, kind)
                if tensor.requires_grad and tensor.grad_fn is not None:
                    tensor.register_hook(self._backward_enters)
            return outputs

        return run

    def compile(self, model: Callable | None = None, **options: Any) -> Any:
        """torch.compile with the same arguments, but this recorder as its backend (it
        calls torch._dynamo.optimize, which counts the compile)."""
        return compiling_with(self.backend)(model, **options)

    def optimize(self, *args: Any, **kwargs: Any) -> Any:
        """torch._dynamo.optimize, TorchDynamo's private entry point (torch.compile calls
        it too), with this recorder as its backend whatever backend it was given: the same
        code gets the same grade, without inductor, and without its compile cache."""
        self.compile_calls += 1
        kwargs.pop("backend", None)
        return REAL_OPTIMIZE(self.backend, *args[1:], **kwargs)

    def optimize_assert(self, *args: Any, **kwargs: Any) -> Any:
        """torch._dynamo.optimize_assert (optimize, with graph breaks as errors), alike."""
        self.compile_calls += 1
        kwargs.pop("backend", None)
        return REAL_OPTIMIZE_ASSERT(self.backend, *args[1:], **kwargs)


class SGDRecorder:
    """Counts the steps of every torch.optim.SGD a submission makes, how they were taken, and
    what they did: a step is SGD's when it moved each parameter by lr·grad and nothing else
    changed the parameters since the step before (their version counters and values)."""

    def __repr__(self) -> str:
        return f"<{self.steps} SGD steps>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __init__(self, compiles: CompileRecorder | None = None) -> None:
        self.compiles = compiles  # to tell where a loss or a gradient came from
        self.judging = True  # off: steps are counted, not checked (a call graded by value only)
        self._passes_at_step = 0
        self._after: WeakIdKeyDictionary = WeakIdKeyDictionary()  # param -> (version, value)
        self.reset()
        recorder = self

        class RecordingSGD(REAL_SGD):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                recorder.optimizers += 1

            def step(self, closure: Callable | None = None) -> Any:
                return recorder.step(self, closure, super().step)

        RecordingSGD.__name__ = RecordingSGD.__qualname__ = "SGD"
        self.cls = RecordingSGD

    def reset(self) -> None:
        self.optimizers = 0
        self.steps = 0
        self.steps_with_closure = 0
        self.steps_without_gradient = 0  # no parameter had a nonzero gradient to apply
        self.steps_off_update = 0  # a parameter did not move by lr·grad
        self.changed_outside_steps = 0  # a parameter changed between steps, or after the last
        self.steps_with_compiled_gradient = 0  # every gradient applied came from compiled code
        self.closures_with_eager_loss = 0  # the closure returned a tensor no compiled graph made

    def step(self, opt: Any, closure: Callable | None, take: Callable[..., Any]) -> Any:
        """One opt.step(closure), taken by `take` (SGD's own step): check the parameters
        before, and after the closure if there is one; take the step; check its effect."""
        self.steps += 1
        self.steps_with_closure += closure is not None
        if not self.judging:
            return take(closure)
        params = [p for group in opt.param_groups for p in group["params"]]
        with _unfollowed():  # the recorder's own operations are not the submission's
            changed = self._changed(params)
        before: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, dict]] = []

        def watched() -> Any:
            nonlocal changed
            loss = closure()
            with _unfollowed():
                changed = changed or self._changed(params)  # the closure wrote to a parameter
                eager = isinstance(loss, torch.Tensor) and self._kind(loss) is None
                self.closures_with_eager_loss += eager
                before.extend(self._snapshot(opt))
            return loss

        if closure is None:
            with _unfollowed():
                before.extend(self._snapshot(opt))
        result = take(None if closure is None else watched)
        with _unfollowed():
            self.changed_outside_steps += changed
            self._judge(before)
            for p in params:
                self._after[p] = (p._version, p.detach().clone())
        return result

    def _kind(self, tensor: Any) -> str | None:
        return self.compiles.kind(tensor) if self.compiles is not None else None

    def _compiled_gradient(self, grad: torch.Tensor) -> bool:
        if self._kind(grad) in FROM_COMPILED_GRADIENT:
            return True
        return (  # where labels cannot follow copies and backward passes (see FOLLOWS)
            not FOLLOWS
            and self.compiles is not None
            and self.compiles.backward_passes > self._passes_at_step
        )

    def _snapshot(self, opt: Any) -> list[tuple[torch.Tensor, torch.Tensor, Any, dict]]:
        return [
            (p, p.detach().clone(), p.grad, group)
            for group in opt.param_groups
            for p in group["params"]
        ]

    def _changed(self, params: list[torch.Tensor]) -> bool:
        """Whether a parameter changed since the end of its last step."""
        for p in params:
            version, value = self._after.get(p, (None, None))
            if value is not None and (p._version != version or not torch.equal(p.detach(), value)):
                return True
        return False

    def _judge(self, before: list[tuple[torch.Tensor, torch.Tensor, Any, dict]]) -> None:
        applied = [(p, value, grad, group) for p, value, grad, group in before if grad is not None]
        if not any(bool(grad.detach().ne(0).any()) for _, _, grad, _ in applied):
            self.steps_without_gradient += 1
        if applied and all(self._compiled_gradient(grad) for _, _, grad, _ in applied):
            self.steps_with_compiled_gradient += 1
        if self.compiles is not None:
            self._passes_at_step = self.compiles.backward_passes
        for p, value, grad, group in applied:
            if group.get("momentum") or group.get("weight_decay") or group.get("maximize"):
                continue  # not plain SGD: the values tell
            if not p.dtype.is_floating_point or grad.is_sparse:
                continue
            expected = value.add(grad.detach().to(value.dtype), alpha=-float(group["lr"]))
            if torch.equal(p.detach(), expected):  # as on CPU: equal costs a tenth of allclose
                continue
            finfo = torch.finfo(p.dtype)  # one rounding apart: a fused multiply-add on CUDA
            if not torch.allclose(p.detach(), expected, rtol=4 * finfo.eps, atol=finfo.tiny):
                self.steps_off_update += 1
                return

    def check_after_call(self) -> None:
        """At the end of a call: a parameter changed after its last step counts once."""
        params = list(self._after.keys())
        if self._changed(params):
            self.changed_outside_steps += 1
        for p in params:
            self._after[p] = (p._version, p.detach().clone())


class OperationCounter(TorchFunctionMode):
    """Counts the torch functions and tensor methods called while it is on."""

    def __init__(self) -> None:
        super().__init__()
        self.operations = 0

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        self.operations += 1
        return func(*args, **(kwargs or {}))
