"""The trusted side's view of a submission: its functions, called in a worker.

A grader still reads `impl.first_derivative(f, x)`: the proxy sends f and x to the exercise's
worker, reads back the answer (plain data and tensors, through `wire`), does to the caller's
tensors what the call did to the worker's copies (so that `Untouched` sees it), and updates the
evidence mirrors that the graders' `compile_recorder` and `sgd_recorder` fixtures hand out.
Whatever stops the submission from answering comes back as an `ExerciseOutcome`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from autodiff_kata.engine import warmed_in_worker, wire
from autodiff_kata.engine.supervisor import Ended, Limits, Worker
from autodiff_kata.registry import Exercise
from autodiff_kata.results import Kind, TestResult
from autodiff_kata.wording import message

# Characters of a worker's detail (its error, its learner's frames) that reach a message.
MAX_DETAIL = 4000
MAX_ERROR = 300  # an error's one line (TestResult.error), as a board shows it
# The longest wait for a worker's preparation (worker.prepare: a few seconds on a quiet machine).
PREPARATION_SECONDS = 120.0


def _bounded(detail: str) -> str:
    """A worker's detail at a size a learner can read (a runaway recursion sends a million
    frames, and the worker is not to be trusted to cut them): its first lines and its last,
    where the error is."""
    if len(detail) <= MAX_DETAIL:
        return detail
    head, tail = detail[: MAX_DETAIL // 4], detail[-MAX_DETAIL // 2 :]
    head = head[: head.rfind("\n")] if "\n" in head else head
    tail = tail[tail.find("\n") + 1 :] if "\n" in tail else tail
    left_out = len(detail) - len(head) - len(tail)
    return f"{head}\n  ... ({left_out:,} characters left out)\n{tail}"


def shown(path: Path) -> str:
    """The path as a learner would type it: relative to where they are, when it is below."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class ExerciseOutcome(BaseException):
    """The submission gave no answer to grade. A BaseException, so that hypothesis stops at
    once instead of shrinking or replaying the example; `str()` is the learner's message."""

    def __init__(self, exercise: Exercise, file: Path, outcome: TestResult) -> None:
        super().__init__(outcome.kind.value)
        self.exercise = exercise
        self.file = file
        self.outcome = outcome
        self.mistake = ""  # the likely mistake a grader recognised in it (grading.name_mistake)

    @property
    def kind(self) -> Kind:
        return self.outcome.kind

    def __str__(self) -> str:
        return message(self.exercise, self.outcome, shown(self.file))


# Outcomes after which the exercise's other tests are not run: one message speaks for it.
SETTLING = {
    Kind.NOT_IMPLEMENTED,
    Kind.MISSING_FILE,
    Kind.SYNTAX_ERROR,
    Kind.IMPORT_ERROR,
    Kind.MISSING_FUNCTION,
    Kind.TIMED_OUT,
    Kind.HUNG,
    Kind.EXITED,
    Kind.KILLED,
    Kind.OUT_OF_MEMORY,
    Kind.TOO_MUCH_OUTPUT,
}


class CompileEvidence:
    """What the worker's torch.compile stand-in saw: compiles, graph runs, breaks, and which
    of the answer's tensors came out of a compiled graph. `reset()` restarts the run count."""

    def __init__(self) -> None:
        self.backend_name = "eager"  # a test may ask for "aot_eager"
        self._latest: dict[str, Any] = {}
        self._runs_before = 0
        self._produced: list[torch.Tensor] = []

    def __repr__(self) -> str:
        return f"<{self.graph_runs} compiled graph runs>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def update(self, evidence: dict[str, Any], produced: list[torch.Tensor]) -> None:
        self._latest = evidence
        self._produced.extend(produced)

    def reset(self) -> None:
        self._runs_before = self._latest.get("graph_runs", 0)
        self._produced.clear()

    @property
    def compile_calls(self) -> int:
        return self._latest.get("compile_calls", 0)

    @property
    def graph_runs(self) -> int:
        return self._latest.get("graph_runs", 0) - self._runs_before

    @property
    def graph_breaks(self) -> int:
        return self._latest.get("graph_breaks", 0)

    def graph_break_reasons(self) -> list[str]:
        return [str(r) for r in self._latest.get("break_reasons", [])]

    @property
    def graphs(self) -> int:
        """Graphs captured so far, by every compiled function."""
        return int(self._latest.get("graphs", 0))

    @property
    def gradient_graphs(self) -> int:
        """Of those, the graphs that take a derivative (not only a copy or a loss)."""
        return int(self._latest.get("gradient_graphs", 0))

    def produced(self, tensor: torch.Tensor) -> bool:
        """Whether this tensor of an answer is a derivative that came out of a compiled
        graph that computed it (its output, or a view or a copy of one; as the worker saw)."""
        return any(tensor is made for made in self._produced)


class SGDEvidence:
    """What the worker's torch.optim.SGD stand-in counted since the last `reset()`: its
    steps, and what they did (spies.SGDRecorder)."""

    def __init__(self) -> None:
        self._latest: dict[str, int] = {}
        self._before: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<{self.steps} SGD steps>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def update(self, evidence: dict[str, Any]) -> None:
        self._latest = evidence

    def reset(self) -> None:
        self._before = dict(self._latest)

    def _count(self, name: str) -> int:
        return int(self._latest.get(name, 0)) - int(self._before.get(name, 0))

    @property
    def optimizers(self) -> int:
        return self._count("optimizers")

    @property
    def steps(self) -> int:
        return self._count("steps")

    @property
    def steps_with_closure(self) -> int:
        return self._count("steps_with_closure")

    @property
    def steps_without_gradient(self) -> int:
        """Steps that had no nonzero gradient to apply."""
        return self._count("steps_without_gradient")

    @property
    def steps_off_update(self) -> int:
        """Steps that did not move a parameter by lr·grad."""
        return self._count("steps_off_update")

    @property
    def changed_outside_steps(self) -> int:
        """Times a parameter was found changed between steps, or after the last one."""
        return self._count("changed_outside_steps")

    @property
    def steps_with_compiled_gradient(self) -> int:
        """Steps whose every gradient came from compiled code (a compiled graph's
        derivative, or the backward pass through a compiled graph's output)."""
        return self._count("steps_with_compiled_gradient")

    @property
    def closures_with_eager_loss(self) -> int:
        """Closures that returned a loss no compiled graph made."""
        return self._count("closures_with_eager_loss")


def _ready(worker: Worker, seconds: float) -> bool:
    try:
        return worker.request({"op": "ready"}, seconds).get("kind") == "ok"
    except (Ended, wire.Unreadable):
        return False


class ExerciseWorker:
    """The worker of one exercise, loaded with the submission's module on first use."""

    def __init__(self, exercise: Exercise, file: Path, limits: Limits, cuda: bool) -> None:
        self.exercise = exercise
        self.file = file
        self.limits = limits
        self.cuda = cuda
        self.worker: Worker | None = None
        self.unloaded: Worker | None = None  # started, the submission's module not loaded yet
        self.prepared = False  # the unloaded worker has said it is ready
        self.settled: ExerciseOutcome | None = None

    def _new_worker(self) -> Worker:
        return Worker(self.limits, cuda_possible=self.cuda, warm=warmed_in_worker(self.exercise))

    def start(self) -> None:
        """Start the worker now, so that it prepares (worker.prepare) while the exercise before
        it is graded. It runs no learner code until its first request."""
        if self.worker is None and self.unloaded is None and self.settled is None:
            self.unloaded = self._new_worker()

    def wait_until_prepared(self) -> None:
        """Wait for the worker to be ready for the submission's module: its preparation is
        not the learner's time, and may take long on a busy machine. One started earlier
        could have been stopped or killed meanwhile by another exercise's code, run under the
        same user (not under a user of its own): as none of this exercise's code has run in
        it, one that is stopped, gone, or silent for PREPARATION_SECONDS is replaced."""
        if self.worker is not None or self.settled is not None or self.prepared:
            return
        seconds = max(self.limits.seconds, PREPARATION_SECONDS)
        early = self.unloaded
        if early is not None and (early.stopped_or_gone() or not _ready(early, seconds)):
            early.close()
            self.unloaded = None
        if self.unloaded is None:
            self.unloaded = self._new_worker()
            _ready(self.unloaded, seconds)  # one that cannot answer says how when it is loaded
        self.prepared = True

    def outcome(self, kind: Kind, **facts: Any) -> ExerciseOutcome:
        return ExerciseOutcome(self.exercise, self.file, TestResult("", kind, **facts))

    def ended(self, ended: Ended) -> ExerciseOutcome:
        """The outcome of a worker that can no longer answer; it settles the exercise."""
        facts = {"detail": ended.detail, "signal": ended.signal, "code": ended.code}
        return self.settle(self.outcome(ended.kind, **facts))

    def request(self, message: dict[str, Any], seconds: float) -> dict[str, Any]:
        """A request to the loaded module's worker; its reply, or the outcome it came to."""
        if self.settled is not None:
            raise self.settled
        if self.worker is None:
            self.worker = self._load(seconds)
        try:
            return self.worker.request(message, seconds)
        except Ended as ended:
            raise self.ended(ended) from None
        except wire.Unreadable as error:
            raise self.outcome(Kind.UNREADABLE, detail=str(error)) from None

    def settle(self, outcome: ExerciseOutcome) -> ExerciseOutcome:
        if outcome.kind in SETTLING:
            self.settled = outcome
            self.close()
        return outcome

    def _load(self, seconds: float) -> Worker:
        if not self.file.is_file():
            raise self.settle(self.outcome(Kind.MISSING_FILE))
        try:
            source = self.file.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise self.settle(self.outcome(Kind.MISSING_FILE, detail=str(error))) from None
        self.wait_until_prepared()
        worker, self.unloaded = self.unloaded, None
        assert worker is not None
        self.worker = worker
        request = {"op": "load", "name": self.exercise.module, "source": source,
                   "filename": str(self.file), "seconds": seconds}  # fmt: skip
        try:
            reply = worker.request(request, seconds)
        except Ended as ended:
            raise self.ended(ended) from None
        except wire.Unreadable as error:
            raise self.settle(self.outcome(Kind.IMPORT_ERROR, detail=str(error))) from None
        if reply.get("kind") != "ok":
            raise self.settle(self.from_reply(reply, ""))
        return worker

    def from_reply(self, reply: dict[str, Any], call: str) -> ExerciseOutcome:
        try:
            kind = Kind(reply.get("kind"))
        except ValueError:
            kind = Kind.UNREADABLE
        line, error = reply.get("line"), reply.get("error")
        return self.outcome(
            kind,
            detail=_bounded(str(reply.get("detail", ""))),
            line=line if type(line) is int else None,
            error=error.split("\n", 1)[0][:MAX_ERROR] if type(error) is str else "",
            call=call,
        )

    def reset(self) -> None:
        """Between tests: the worker undoes what the test's code changed in torch's state."""
        if self.worker is not None and self.settled is None:
            try:
                self.worker.request({"op": "reset"}, self.limits.seconds)
            except Ended as ended:
                self.ended(ended)
            except wire.Unreadable as error:
                self.settled = self.outcome(Kind.UNREADABLE, detail=str(error))
                self.close()

    def close(self) -> None:
        for worker in (self.worker, self.unloaded):
            if worker is not None:
                worker.close()


class OperationEvidence:
    """How many torch functions the submission's last call ran, where the registry marks the
    exercise `vectorised` (None elsewhere)."""

    def __init__(self) -> None:
        self.last: int | None = None

    def __repr__(self) -> str:
        return f"<{self.last} torch operations in the last call>"

    def update(self, evidence: dict[str, Any]) -> None:
        operations = evidence.get("operations")
        self.last = operations if type(operations) is int else None


class LearnerModule:
    """The exercise's functions, for one test: each call made in the worker, within the
    test's time budget (spent only while the call runs)."""

    def __init__(
        self,
        worker: ExerciseWorker,
        compiles: CompileEvidence,
        sgd: SGDEvidence,
        operations: OperationEvidence,
    ) -> None:
        self._worker = worker
        self._compiles = compiles
        self._sgd = sgd
        self._operations = operations
        self._scale: dict[str, float] | None = None
        self._evidence = True
        self._time_left = worker.limits.seconds

    def __repr__(self) -> str:
        return f"<{shown(self._worker.file)}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    @contextmanager
    def functions_scaled(self, **scale: float) -> Iterator[None]:
        """Calls made inside run with every torch.autograd.Function the submission defines
        scaled: forward=2.0 doubles its value, backward=2.0 its gradients."""
        self._scale = scale
        try:
            yield
        finally:
            self._scale = None

    @contextmanager
    def values_only(self) -> Iterator[None]:
        """Calls made inside are graded by their values alone: the worker follows no labels
        and judges no SGD step (it only counts them), which makes a long descent faster."""
        self._evidence = False
        try:
            yield
        finally:
            self._evidence = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._worker.exercise.functions:
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            return self._call(name, args, kwargs)

        call.__name__ = name
        return call

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        __tracebackhide__ = True
        worker = self._worker
        request = {"op": "call", "function": name, "args": args, "kwargs": kwargs,
                   "backend": self._compiles.backend_name, "seconds": self._time_left,
                   "follow": worker.exercise.graph_mode,
                   "count": worker.exercise.vectorised, "scale": self._scale,
                   "evidence": self._evidence}  # fmt: skip
        worker.wait_until_prepared()
        started = time.monotonic()
        try:
            reply = worker.request(request, self._time_left)
        finally:
            self._time_left -= time.monotonic() - started
        if reply.get("kind") != "ok":
            named = reply.get("kind") in ("not implemented", "missing function")
            raise worker.settle(
                worker.from_reply(reply, name if named else _call_text(name, args, kwargs))
            )
        try:
            answer = wire.decode(reply["value"])
            inputs = [wire.decode(state["grad"]).value for state in reply["inputs"]]
            originals = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
            if len(inputs) != len(originals):
                raise wire.Unreadable("the inputs' states do not match the inputs")
            for original, state, grad in zip(originals, reply["inputs"], inputs, strict=True):
                _mirror(original, state, grad)
            evidence = dict(reply["evidence"])
        except (KeyError, TypeError, ValueError, RuntimeError) as error:
            raise worker.outcome(Kind.UNREADABLE, detail=str(error)) from None
        self._compiles.update(evidence, answer.produced)
        self._sgd.update(evidence)
        self._operations.update(evidence)
        return answer.value


def _call_text(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    shown = [*map(repr, args), *(f"{key}={value!r}" for key, value in kwargs.items())]
    return f"{name}({', '.join(shown)})"


def _mirror(original: torch.Tensor, state: dict[str, Any], grad: Any) -> None:
    """Do to the caller's tensor what the call did to the worker's copy of it."""
    value = state["value"]
    if type(value) is not torch.Tensor:
        raise wire.Unreadable("an input's value is not a tensor")
    with torch.no_grad():
        if value.shape == original.shape and not torch.equal(value, original.detach()):
            original.copy_(value)
        elif state["changed"] is True:
            torch.autograd.graph.increment_version(original)
    if state["requires_grad"] is not original.requires_grad and original.is_leaf:
        original.requires_grad_(state["requires_grad"] is True)
    if state["grad_changed"] is True and (grad is None or isinstance(grad, torch.Tensor)):
        original.grad = grad
