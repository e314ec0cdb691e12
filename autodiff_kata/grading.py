"""What the graders assert, phrased for the learner: what was expected, what came back, and
the likely mistake. Oracles compute the expected answers with torch.func, independently of
whatever idiom the submission chose."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from torch import Tensor

from autodiff_kata import words
from autodiff_kata.engine.proxy import (
    CompileEvidence,
    ExerciseOutcome,
    LearnerModule,
    SGDEvidence,
)
from autodiff_kata.functions import quadratic
from autodiff_kata.results import Kind

DEVICES = [
    pytest.param("cpu"),
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason="CUDA not available: no GPU on this machine"
        ),
    ),
]


class GradingFailure(AssertionError):
    """A wrong answer; the message is all the learner needs to read. `mistake` is the likely
    mistake it names, kept as data too (compare counts them across a class)."""

    def __init__(self, found: str, mistake: str = "") -> None:
        super().__init__(f"{found}\n{likely(mistake)}" if mistake else found)
        self.mistake = mistake


def likely(mistake: str) -> str:
    """How a named mistake reads, after what was found."""
    return f"Likely mistake: {mistake}"


def _number(value: float, dtype: torch.dtype) -> str:
    """Enough digits to tell two values of the dtype apart, no more."""
    return repr(value) if dtype == torch.float64 else f"{value:.9g}"


def show(value: Any) -> str:
    if not isinstance(value, Tensor):
        return repr(value)
    v = value.detach().cpu()
    if v.dim() == 0:
        numbers = _number(v.item(), v.dtype)
    else:
        numbers = "[" + ", ".join(_number(n, v.dtype) for n in v.flatten().tolist()) + "]"
    where = "" if value.device.type == "cpu" else f", {value.device}"
    return f"tensor({numbers}, {str(value.dtype).removeprefix('torch.')}{where})"


def fail(message: str, *, mistake: str = "") -> None:
    """Fail the test with `message`, and the likely mistake where one is known."""
    __tracebackhide__ = True
    raise GradingFailure(message, mistake)


def expect_tensor(
    got: Any,
    *,
    like: Tensor,
    what: str,
    dtype: torch.dtype | None = None,
    wrong_dtype: str | None = None,
) -> Tensor:
    """Fail unless `got` is a plain tensor with `like`'s shape and device, and its dtype
    (or `dtype`), holding a value rather than a graph. `wrong_dtype` names the likely
    mistake behind a wrong dtype where the exercise has its own (a cast it asks for)."""
    __tracebackhide__ = True
    dtype = dtype or like.dtype
    if isinstance(got, tuple | list) and len(got) == 1 and isinstance(got[0], Tensor):
        fail(
            f"{what}: expected a tensor, got a {type(got).__name__} holding one.",
            mistake="torch.autograd.grad returns a tuple, one gradient per input; "
            "unpack it: (dydx,) = torch.autograd.grad(y, x).",
        )
    if not isinstance(got, Tensor):
        why = (
            "a Python number has no dtype or device: return the tensor, without .item() or float()."
            if isinstance(got, int | float)
            else "None is the .grad of a tensor that did not require grad, and what "
            "torch.autograd.grad(..., allow_unused=True) gives for an input the output does "
            "not use: make every input require grad, and pass materialize_grads=True to get "
            "zeros for an unused one."
            if got is None
            else "return the tensor itself."
        )
        fail(f"{what}: expected a torch.Tensor, got {type(got).__name__} {got!r}.\nHint: {why}")
    if got.device != like.device:
        fail(
            f"{what}: expected a tensor on {like.device} (where the input is), got one on "
            f"{got.device}.",
            mistake="a new tensor made without device=x.device.",
        )
    if got.dtype != dtype:
        fail(
            f"{what}: expected dtype {dtype}, got {got.dtype}.",
            mistake=(
                wrong_dtype
                or "a new tensor made without dtype=..., or a cast; the result must keep the "
                "input's precision."
            ),
        )
    if got.shape != like.shape:
        fail(
            f"{what}: expected shape {tuple(like.shape)} (the input's), got {tuple(got.shape)}.",
            mistake="an extra dimension from torch.tensor([...]), or a reshape.",
        )
    if got.requires_grad:
        fail(
            f"{what}: the tensor still tracks gradients (requires_grad=True).\nHint: return a "
            "plain value: detach() it, or compute it under torch.no_grad()."
        )
    return got


def expect_tuple(got: Any, names: tuple[str, ...]) -> tuple[Any, ...]:
    """Fail unless `got` is a tuple (or list) of len(names) things; return them."""
    __tracebackhide__ = True
    expected = f"({', '.join(names)})"
    if not isinstance(got, tuple | list):
        fail(f"expected {expected}, got {type(got).__name__} {show(got)}.\nHint: return a tuple.")
    if len(got) != len(names):
        fail(
            f"expected {len(names)} values, {expected}; got {len(got)}.\n"
            "Hint: return one value for each name above, in that order."
        )
    return tuple(got)


# float64 answers are checked to well within one float32 rounding (about 6e-8 relative), so
# that float32 arithmetic returned as float64 shows; assert_close's own float64 tolerance
# (1e-7) would let it pass.
FLOAT64_TOLERANCE = {"rtol": 1e-10, "atol": 1e-12}

# A mistake a grader knows: a function giving the answer it makes (computed only on a
# failure), what to say about it, and, optionally, the tolerance within which an answer
# counts as that mistake's (for approximations, such as a finite difference's).
Mistake = tuple[Callable[[], Tensor | None], str] | tuple[Callable[[], Tensor | None], str, dict]


def is_close(got: Tensor, expected: Tensor, **tolerance: float) -> bool:
    try:
        torch.testing.assert_close(got, expected, check_device=False, **tolerance)
    except AssertionError:
        return False
    return True


def tolerance_for(dtype: torch.dtype, given: dict[str, float] | None = None) -> dict[str, float]:
    """The tolerance given, else FLOAT64_TOLERANCE for float64, else assert_close's."""
    if given:
        return dict(given)
    return dict(FLOAT64_TOLERANCE) if dtype == torch.float64 else {}


def _makes(got: Tensor, wrong: Tensor, tolerance: dict[str, float]) -> bool:
    """Whether `got` is the answer `wrong`, at the precision of the less precise of the two:
    a float32 mistake's answer returned as float64 is one when `got` holds float32 values
    only, close to it as float32."""
    if wrong.dtype == got.dtype or not (wrong.is_floating_point() and got.is_floating_point()):
        return is_close(got, wrong.to(got.dtype), **tolerance)
    if torch.finfo(wrong.dtype).eps > torch.finfo(got.dtype).eps:
        coarse = got.to(wrong.dtype)  # only values of the coarser dtype: computed in it
        return torch.equal(coarse.to(got.dtype), got) and is_close(
            coarse, wrong, **tolerance_for(wrong.dtype)
        )
    return is_close(got, wrong.to(got.dtype), **tolerance)


def expect_close(
    got: Tensor,
    expected: Tensor,
    *,
    what: str,
    hint: str,
    mistakes: tuple[Mistake, ...] = (),
    **tolerance: float,
) -> None:
    """Fail unless got ≈ expected (the tolerances given, else tolerance_for the dtype).
    `mistakes` are the known mistakes (see Mistake): the first whose answer `got` is names
    the mistake. A mistake whose answer is the right one here is never named: it is no
    mistake on this input."""
    __tracebackhide__ = True
    right = tolerance_for(expected.dtype, tolerance)
    if is_close(got, expected, **right):
        return
    found = f"{what}: expected {show(expected)}, got {show(got)}."
    for wrong_answer, explanation, *own in mistakes:
        wrong = wrong_answer()
        if wrong is None or wrong.shape != expected.shape:
            continue
        if is_close(wrong.to(expected.dtype), expected, **right):
            continue
        if _makes(got, wrong, own[0] if own else right):
            fail(found, mistake=explanation)
    fail(f"{found}\nHint: {hint}")


def expect_vectorised(operations: dict[int, int | None], *, what: str, mistake: str) -> None:
    """Fail unless the submission ran the same number of torch operations for every batch
    size in `operations` (batch size: the count the worker took, OperationEvidence): vectorised
    work (vmap) runs the same operations on bigger tensors, a Python loop runs them again for
    every sample."""
    __tracebackhide__ = True
    if None in operations.values():
        raise RuntimeError("operations are counted only where the registry says vectorised = true")
    if len(set(operations.values())) > 1:
        counts = ", ".join(f"{count:,} for a batch of {size}" for size, count in operations.items())
        fail(
            f"{what}: the torch operations it ran grew with the batch ({counts}); vectorised "
            "work runs the same operations, on bigger tensors, for any batch.",
            mistake=mistake,
        )


@dataclass
class _Snapshot:
    tensor: Tensor
    value: Tensor
    requires_grad: bool
    grad: Tensor | None
    version: int


class Untouched:
    """Snapshots the caller's tensors, to check that a submission left them as they were."""

    def __init__(self, **tensors: Tensor) -> None:
        self.snapshots = {
            name: _Snapshot(t, t.detach().clone(), t.requires_grad, t.grad, t._version)
            for name, t in tensors.items()
        }

    def check(self) -> None:
        __tracebackhide__ = True
        for name, s in self.snapshots.items():
            if s.tensor.requires_grad != s.requires_grad:
                fail(
                    f"the caller's {name} now has requires_grad={s.tensor.requires_grad}.",
                    mistake="requires_grad_() on the caller's tensor; call it on a copy: "
                    f"{name}.detach().requires_grad_().",
                )
            if s.tensor.grad is not s.grad:
                fail(
                    f"the caller's {name} got a .grad it did not have.",
                    mistake="backward() through the caller's tensor; differentiate a detached "
                    "copy.",
                )
            if not torch.equal(s.tensor.detach(), s.value):
                fail(
                    f"the caller's {name} was changed in place (it was {show(s.value)}, now "
                    f"{show(s.tensor)}).",
                    mistake="the optimiser was given the caller's tensor; give it a copy: "
                    f"torch.nn.Parameter({name}.detach().clone()).",
                )
            if s.tensor._version != s.version:
                fail(
                    f"the caller's {name} was written in place: its value is still "
                    f"{show(s.value)}, but its version counter moved (an in-place operation "
                    "ran on it, and autograd would refuse a graph that saved it).",
                    mistake="the optimiser was given the caller's tensor, or an in-place "
                    f"operation ran on it ({name}.copy_(...), {name} -= ...); work on a copy: "
                    f"{name}.detach().clone().",
                )


@contextmanager
def naming(*known: tuple[str, str]) -> Iterator[None]:
    """Name the likely mistake behind an error the submission raised: `known` pairs words of
    PyTorch's error message with the explanation, added to the outcome as a note."""
    try:
        yield
    except ExerciseOutcome as error:
        if error.kind == Kind.RAISED:
            said = error.outcome.detail
            for words_said, explanation in known:
                if words_said.lower() in said.lower():
                    name_mistake(error, explanation)
                    break
        raise


def name_mistake(error: ExerciseOutcome, explanation: str) -> None:
    """Name the likely mistake behind an error the submission raised: a note for the
    learner, and data for the class's counts."""
    error.mistake = explanation
    error.add_note(likely(explanation))


@contextmanager
def too_big_for(what: str, mistake: str) -> Iterator[None]:
    """Around a call on an input too large for a wrong method: running out of memory or time
    there is that method's failure, with `mistake` named, not a crash. The outcome still
    settles the exercise, so the test that asks comes last in its module."""
    __tracebackhide__ = True
    ended = {Kind.OUT_OF_MEMORY: "ran out of memory", Kind.TIMED_OUT: "ran out of time"}
    try:
        yield
    except ExerciseOutcome as error:
        if error.kind in ended:
            fail(f"{what}: {ended[error.kind]}.", mistake=mistake)
        raise


@contextmanager
def explaining(call: str, *known: tuple[str, str, str]) -> Iterator[None]:
    """Like `naming`, but for errors whose text is long and says little to a learner
    (TorchDynamo's): `known` holds (words of the error, what it says in short, the likely
    mistake), and the failure says those instead of the raw error."""
    __tracebackhide__ = True
    try:
        yield
    except ExerciseOutcome as error:
        if error.kind != Kind.RAISED:
            raise
        said = error.outcome.detail.lower()
        for words_said, short, explanation in known:
            if words_said.lower() in said:
                where = f" at line {error.outcome.line}" if error.outcome.line else ""
                fail(f"{call} raised an error{where}: {short}.", mistake=explanation)
        raise


NOT_THE_COPIES = (
    "does not require grad and does not have a grad_fn",
    "f(x) recorded no graph: it was called on a tensor that does not require grad (the "
    "caller's, not a copy made with .detach().requires_grad_()), or with grad mode off "
    "(torch.no_grad(), torch.set_grad_enabled(False)). Call f on the copies that require "
    "grad, with grad mode on, and differentiate with respect to them.",
)
COMPLEX_STEP = (
    "complex",
    "the complex-step method is numerical differentiation, not autodiff, and f need not "
    "accept complex numbers (softplus and relu do not); differentiate with "
    "torch.autograd.grad.",
)


# mistakes the derivative exercises share ----------------------------------------------

FLOAT32 = (
    "float32 arithmetic: the answer has float32's precision, returned as float64 (a copy "
    "cast to float32, or a tensor made without dtype=, in the default float32); compute in "
    "the input's own dtype."
)


def in_float32(answer: Callable[..., Tensor], *inputs: Tensor) -> tuple[Mistake, ...]:
    """For float64 inputs: the answer float32 arithmetic gives, kept in float32, so that an
    answer computed in float32 is recognised at float32's precision (`_makes`)."""
    if not any(t.dtype == torch.float64 for t in inputs):
        return ()
    return ((lambda: answer(*(t.float() for t in inputs)), FLOAT32),)


def kink_at(f: Any, x: Tensor) -> float | None:
    """Where f has a kink at one of x's elements (relu or abs there), else None."""
    at = [k for k in getattr(f, "kinks", list)() if bool((x == k).any())]
    return at[0] if at else None


def kink_note(f: Any, x: Tensor) -> str:
    """What to say where f has a kink at one of x's elements, else nothing."""
    at = kink_at(f, x)
    if at is None:
        return ""
    return (
        f"f has a kink at x = {at:g} (relu or abs there): autograd gives PyTorch's "
        "documented subgradient (0 for relu and abs), and a finite difference the slope of "
        "one side, or the average of both"
    )


def finite_difference(f: Callable[..., Tensor], x: Tensor, *, left: int, right: int) -> Tensor:
    """df/dx at each element of x by a finite difference in float64: (f(x + right·h) −
    f(x − left·h)) / ((left + right)·h); central with left = right = 1."""
    h = 1e-6
    x64 = x.detach().to(torch.float64)
    slopes = torch.empty_like(x64).flatten()
    for i in range(x64.numel()):
        step = torch.zeros_like(slopes)
        step[i] = h
        step = step.reshape(x64.shape)
        slopes[i] = (f(x64 + right * step) - f(x64 - left * step)) / ((left + right) * h)
    return slopes.reshape(x64.shape)


def numerical_slopes(
    f: Callable[..., Tensor], x: Tensor, *, function: Any = None
) -> tuple[Mistake, ...]:
    """What finite differences give for df/dx (central, forward, backward), as mistakes:
    they differ from autograd at a kink, and by far more than float64's rounding elsewhere.
    `function` is the function drawn, where f is only its restriction to x."""
    why = kink_note(function or f, x) or "it is accurate to a few digits only"
    explanation = (
        f"a numerical derivative (finite differences) instead of autodiff: {why}. "
        "Differentiate with torch.autograd.grad."
    )
    loose = {"rtol": 1e-3, "atol": 1e-3}  # whatever step the submission took
    return tuple(
        (lambda left=left, right=right: finite_difference(f, x, left=left, right=right),
         explanation, loose)
        for left, right in ((1, 1), (0, 1), (1, 0))
    )  # fmt: skip


def second_difference(f: Callable[[Tensor], Tensor], x: Tensor) -> Mistake:
    """What a three-point stencil in float64 gives for d2f/dx2 at a scalar x, as a mistake."""
    h = 1e-4
    x64 = x.detach().to(torch.float64)
    return (
        lambda: (f(x64 + h) - 2 * f(x64) + f(x64 - h)) / h**2,
        "a numerical second derivative (a finite-difference stencil) instead of autodiff: it "
        "is accurate to a few digits only, and blows up where f has a kink. Differentiate "
        "twice with torch.autograd.grad.",
        {"rtol": 1e-3, "atol": 1e-3},
    )


def _key(at: Any) -> str:
    return ", ".join(map(show, at)) if isinstance(at, tuple | list) else show(at)


@dataclass
class Answers:
    """A submission's answers in one test, where each drawn example asks about the same f at
    two points and about two functions at the same point: an answer cached from an earlier
    call (keyed by f, or by the input) is named."""

    seen: list[tuple[Any, int, str, Tensor]]

    def __init__(self) -> None:
        self.seen = []

    def __repr__(self) -> str:
        return f"<{len(self.seen)} answers so far>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis prints the fixtures of a failing example

    def add(self, f: Any, at: Any, answer: Tensor, *, part: int = 0) -> None:
        """Remember a checked answer (a tensor: the one a cache would give back); `part`
        tells the parts of one answer apart (the gradients of a tuple)."""
        self.seen.append((f, part, _key(at), answer))

    def _stale(
        self, f: Any, at: Any, like: Tensor | None, part: int
    ) -> Iterator[tuple[Tensor, str]]:
        for f_before, part_before, at_before, answer in self.seen:
            if part_before != part:
                continue
            if like is not None and (answer.dtype, answer.device) != (like.dtype, like.device):
                continue
            if f_before == f and at_before != _key(at):
                yield (
                    answer,
                    (
                        f"that is the answer for the same f at {at_before}, an earlier call's: "
                        "an answer cached by f (a dict or functools.cache keyed by f) is stale at "
                        "another point; compute it on every call."
                    ),
                )
            elif f_before != f and at_before == _key(at):
                yield (
                    answer,
                    (
                        f"that is the answer for {f_before!r} at the same point, an earlier "
                        "call's: an answer cached by the input is wrong for another f; compute it "
                        "on every call."
                    ),
                )

    def asked(self, f: Any, at: Any) -> bool:
        """Whether the same f was asked about at the same point before."""
        return any(f_before == f and key == _key(at) for f_before, _, key, _ in self.seen)

    def mistakes(self, f: Any, at: Any, *, like: Tensor, part: int = 0) -> tuple[Mistake, ...]:
        """Earlier answers for the same f elsewhere, or another f here, of `like`'s dtype."""
        stale = self._stale(f, at, like, part)
        return tuple((lambda a=answer: a, why) for answer, why in stale)

    def expect_tensor(
        self,
        got: Any,
        f: Any,
        at: Any,
        *,
        like: Tensor,
        what: str,
        expected: Tensor,
        part: int = 0,
        **checks: Any,
    ) -> Tensor:
        """expect_tensor(got, like, what); but first, a tensor that does not fit this call
        (another dtype or shape) and is, to the last bit, an earlier call's wrong answer for
        the same f elsewhere or another f here is named as a cached answer."""
        __tracebackhide__ = True
        if isinstance(got, Tensor) and (got.dtype, got.shape) != (like.dtype, like.shape):
            kind = (got.dtype, got.shape, got.device)
            for answer, why in self._stale(f, at, None, part):
                if answer.shape == expected.shape and is_close(
                    answer.to(expected.dtype), expected, **tolerance_for(answer.dtype)
                ):
                    continue  # the right answer here too
                if (answer.dtype, answer.shape, answer.device) == kind and torch.equal(answer, got):
                    fail(f"{what}: got {show(got)}.", mistake=why)
        return expect_tensor(got, like=like, what=what, **checks)


def answers_fixture() -> Any:
    """The `answers` fixture for a grader (`answers = answers_fixture()`): a test's Answers,
    shared by its drawn examples."""

    @pytest.fixture
    def answers() -> Answers:
        return Answers()

    return answers


# oracles ---------------------------------------------------------------------------------


def derivative(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    return torch.func.grad(f)(x.detach())


def second_derivative(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    return torch.func.grad(torch.func.grad(f))(x.detach())


@dataclass
class Descent:
    """Where `steps` steps of SGD end, the loss before and after the last step, and how many
    steps had no gradient to apply (x at a stationary point)."""

    x: Tensor
    loss: Tensor
    loss_before_last_step: Tensor
    steps_without_gradient: int = 0


_DESCENTS: dict[tuple[Any, ...], Descent] = {}  # a grading process asks for the same ones again
_BITS = {1: torch.int8, 2: torch.int16, 4: torch.int32, 8: torch.int64}


def sgd(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int, lr: float, accumulate: bool = False
) -> Descent:
    """The reference descent; with `accumulate`, the one a forgotten zero_grad() gives.
    Kept by its inputs, to the last bit of x0: `watch` and `compare` grade the same
    examples (derandomised) again and again, and 1000 steps cost a quarter of a second."""
    start = x0.detach().cpu().flatten()
    bits = tuple(start.view(_BITS[start.element_size()]).tolist())
    key = (f, x0.dtype, x0.device, tuple(x0.shape), bits, steps, lr, accumulate)
    if key not in _DESCENTS:
        if len(_DESCENTS) > 4096:
            _DESCENTS.clear()
        _DESCENTS[key] = _descend(f, x0, steps=steps, lr=lr, accumulate=accumulate)
    return _DESCENTS[key]


def _descend(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int, lr: float, accumulate: bool
) -> Descent:
    x = torch.nn.Parameter(x0.detach().clone())
    opt = torch.optim.SGD([x], lr=lr)
    loss = f(x).detach()  # the loss a zero-step descent reports
    without_gradient = 0
    for _ in range(steps):
        if not accumulate:
            opt.zero_grad()
        loss = f(x)
        loss.backward()
        without_gradient += not bool(x.grad.ne(0).any())
        opt.step()
    with torch.no_grad():
        return Descent(x.detach(), f(x), loss.detach(), without_gradient)


# shared checks ---------------------------------------------------------------------------


def descent_mistakes(
    f: Callable[[Tensor], Tensor], x0: Tensor, *, steps: int, lr: float
) -> tuple[tuple[Callable[[], Tensor], str], ...]:
    """Where a descent ends after each of the usual mistakes, with what to say about it."""
    return (
        (
            lambda: sgd(f, x0, steps=steps, lr=lr, accumulate=True).x,
            "gradients accumulate from step to step: backward() adds to x.grad, so zero it "
            "every step (opt.zero_grad()), or assign x.grad instead of adding to it.",
        ),
        (lambda: sgd(f, x0, steps=steps, lr=0.01).x, "the lr argument is ignored: pass lr=lr."),
        (
            lambda: sgd(f, x0, steps=1000, lr=lr).x,
            "the steps argument is ignored: loop `steps` times.",
        ),
        (
            lambda: sgd(f, x0, steps=steps - 1, lr=lr).x,
            "one step short: loop exactly `steps` times.",
        ),
        (
            lambda: sgd(f, x0, steps=steps + 1, lr=lr).x,
            "one step too many: loop exactly `steps` times.",
        ),
        (lambda: x0, "x never moved: does opt.step() see the gradient in x.grad?"),
        *(
            [
                (
                    lambda: sgd(f, x0.double(), steps=steps, lr=lr).x.float(),
                    "float64 arithmetic: the descent ran in float64 and was cast back to "
                    "float32, where its steps are rounded otherwise (in the chapter, float32 "
                    "stalls at 0.99999857 and float64 goes on to 0.999999998); descend in "
                    "x0's own dtype.",
                )
            ]
            if x0.dtype == torch.float32
            else []
        ),
    )


def check_descent(
    result: Any,
    f: Callable[[Tensor], Tensor],
    x0: Tensor,
    *,
    steps: int,
    lr: float,
    sgd_recorder: SGDEvidence,
    closure: bool,
    answers: Answers | None = None,
) -> None:
    """Grade a minimisation exercise's (x, loss) against the reference descent, and check
    that torch.optim.SGD took every step, with a closure or without as the exercise says.
    `answers`: the test's earlier answers, to name one cached from an earlier call."""
    __tracebackhide__ = True
    answers = answers or Answers()
    start = (x0, steps, lr)
    reference = sgd(f, x0, steps=steps, lr=lr)
    x, loss = expect_tuple(result, ("x", "loss"))
    x = answers.expect_tensor(x, f, start, like=x0, what="the final x", expected=reference.x)
    loss = expect_tensor(loss, like=x0.sum(), what="the final loss")
    expect_close(
        x,
        reference.x,
        what=f"x after {words.count(steps, 'step')} of SGD (lr={lr}) on {f!r} from x0={show(x0)}",
        hint="each step: the gradient at the current x, then opt.step(); exactly `steps` steps.",
        mistakes=(
            *answers.mistakes(f, start, like=x0),
            *descent_mistakes(f, x0, steps=steps, lr=lr),
            *in_float32(lambda x32: sgd(f, x32, steps=steps, lr=lr).x, x0),
        ),
    )
    asked_before = answers.asked(f, start)
    answers.add(f, start, x)
    if asked_before and sgd_recorder.steps == 0:
        fail(
            "no opt.step() ran in this call: its answer is the one an earlier call gave for "
            "the same f and x0.",
            mistake="an answer cached from an earlier call (a dict or functools.cache keyed by "
            "f); descend on every call.",
        )
    expect_close(
        loss,
        f(x.detach()),
        what=f"the loss returned beside x = {show(x)}",
        hint="return f at the final x, computed after the loop.",
        mistakes=(
            (
                lambda: reference.loss_before_last_step,
                "a stale loss, computed before the last step (as the chapter prints); "
                "compute f(x) again after the loop.",
            ),
            *in_float32(lambda x32: f(x32), x.detach()),
        ),
    )
    check_sgd_used(
        sgd_recorder,
        steps=steps,
        closure=closure,
        steps_without_gradient=reference.steps_without_gradient,
    )


def check_sgd_used(
    sgd_recorder: SGDEvidence, *, steps: int, closure: bool, steps_without_gradient: int = 0
) -> None:
    """Fail unless torch.optim.SGD took `steps` steps, with a closure or without as asked,
    and made every update: each step moved x by lr·grad, with a gradient to apply (but for
    the `steps_without_gradient` that the reference descent has too), and nothing else
    changed x between steps."""
    __tracebackhide__ = True
    if sgd_recorder.optimizers == 0 or sgd_recorder.steps == 0:
        fail(
            "the update was not made by torch.optim.SGD "
            f"({words.count(sgd_recorder.steps, 'opt.step() call')} "
            f"for {words.count(steps, 'step')}).",
            mistake="an update written by hand (x -= lr * g), the chapter's result hard-coded, "
            "or an answer cached from an earlier call. This exercise is about the optimiser: "
            "opt = torch.optim.SGD([x], lr=lr), then opt.step() each step.",
        )
    if sgd_recorder.steps != steps:
        fail(
            f"opt.step() was called {words.count(sgd_recorder.steps, 'time')} for "
            f"{words.count(steps, 'step')}.",
            mistake="a loop that does not run exactly `steps` times: for _ in range(steps).",
        )
    if closure and sgd_recorder.steps_with_closure < steps:
        fail(
            "opt.step() was called without a closure.\nHint: this exercise is about "
            "opt.step(closure): the optimiser calls closure() to get the loss and gradient."
        )
    if not closure and sgd_recorder.steps_with_closure:
        fail(
            "opt.step(closure) was used; this exercise computes the gradient explicitly.\n"
            "Hint: store the gradient in x.grad, then call opt.step() with no argument."
        )
    where = "in the closure or beside opt.step(closure)" if closure else "beside opt.step()"
    if sgd_recorder.changed_outside_steps:
        fail(
            "x was changed outside the optimiser's steps: the update was not all "
            "torch.optim.SGD's.",
            mistake="an update written by hand (x -= lr * g, "
            f"x.data = ..., x.copy_(...)) {where}; store the gradient in x.grad and let "
            "opt.step() apply it.",
        )
    idle = sgd_recorder.steps_without_gradient - steps_without_gradient
    if idle > 0:
        fill = (
            "closure() must leave the gradient in x.grad: opt.zero_grad(), loss = f(x), "
            "loss.backward(), return loss."
            if closure
            else "torch.autograd.grad returns the gradient without storing it: x.grad = g "
            "(or backward()) before opt.step(), and zero_grad() before, not after."
        )
        fail(
            f"opt.step() had no gradient to apply in {idle} of {words.count(steps, 'step')} "
            "(x.grad was None or zero there), so the optimiser did not make the update.",
            mistake=fill,
        )
    if sgd_recorder.steps_off_update:
        fail(
            "opt.step() did not move x by lr * x.grad: the optimiser is not plain SGD.",
            mistake="momentum, weight_decay or maximize given to torch.optim.SGD; "
            "the chapter's optimiser is torch.optim.SGD([x], lr=lr).",
        )


def check_compiled_steps(sgd_recorder: SGDEvidence, *, steps: int, closure: bool) -> None:
    """Fail unless the gradient of every step came from compiled code: a compiled graph's
    derivative, or the backward pass through a compiled graph's output (the loss, when
    opt.step(closure) drives the loop, also out of the compiled graph)."""
    __tracebackhide__ = True
    eager = steps - sgd_recorder.steps_with_compiled_gradient
    if eager > 0:
        if closure:
            fail(
                f"in {eager} of {words.count(steps, 'step')}, the gradient opt.step(closure) "
                "applied was computed in eager code, not by backward() through the compiled "
                "loss.",
                mistake="the compiled function ran, but backward() was called "
                "on another loss (f(x) computed in eager code); call backward() on the "
                "compiled function's result: loss = compiled_f(x); loss.backward().",
            )
        fail(
            f"in {eager} of {words.count(steps, 'step')}, the gradient in x.grad at "
            "opt.step() was computed in eager code, not by the compiled function.",
            mistake="the compiled function ran, but its result was not what went into "
            "x.grad (thrown away, or it only copies a gradient computed outside it). Hint: "
            "x.grad = compiled_gradient(x.detach()), with compiled_gradient = "
            "torch.compile(torch.func.grad(f)).",
        )
    if closure and sgd_recorder.closures_with_eager_loss:
        eager = sgd_recorder.closures_with_eager_loss
        fail(
            f"in {eager} of {words.count(steps, 'step')}, the closure returned a loss computed "
            "in eager code, not the compiled function's.\nHint: return the loss that "
            "came out of the compiled function, the one backward() ran through."
        )


def grade_descent(
    minimise: Callable[..., Any],
    f: Callable[[Tensor], Tensor],
    x0: Tensor,
    *,
    steps: int,
    lr: float,
    sgd_recorder: SGDEvidence,
    closure: bool,
    answers: Answers | None = None,
) -> None:
    """Run a minimisation exercise once and grade it, x0 included (left as it was)."""
    __tracebackhide__ = True
    sgd_recorder.reset()
    untouched = Untouched(x0=x0)
    result = minimise(f, x0, steps=steps, lr=lr)
    check_descent(
        result, f, x0, steps=steps, lr=lr, sgd_recorder=sgd_recorder, closure=closure,
        answers=answers,
    )  # fmt: skip
    untouched.check()


CHAPTER_X = 0.99999857  # where the chapter's 1000 steps end (TensorFlow's value)


def check_chapter_descent(
    impl: LearnerModule,
    function: str,
    *,
    sgd_recorder: SGDEvidence,
    closure: bool,
    compile_recorder: CompileEvidence | None = None,
) -> None:
    """The chapter's run, with the exercise's default steps and lr: x = 0.99999857, y = 0;
    then another f with the defaults, graded by its values alone (it catches an answer
    special-cased for the chapter's call; the first run's evidence of method is enough). Given
    `compile_recorder`, the chapter's run compiles with the backend the test chose, the other
    with the cheap "eager"."""
    __tracebackhide__ = True
    minimise = getattr(impl, function)
    f, x0 = quadratic(1, -2, 1), torch.tensor(0.0)
    chapter = {"rtol": 0.0, "atol": 2e-7}  # torch.optim.SGD ends one ulp below TensorFlow
    sgd_recorder.reset()
    untouched = Untouched(x0=x0)
    x, loss = expect_tuple(minimise(f, x0), ("x", "loss"))
    x = expect_tensor(x, like=x0, what="x")
    what = f"x after 1000 SGD steps (lr=0.01) on {f!r} from x = 0"
    if not is_close(x, torch.tensor(CHAPTER_X), **chapter):
        given, _ = expect_tuple(minimise(f, x0, steps=1000, lr=0.01), ("x", "loss"))
        if isinstance(given, Tensor) and is_close(given, torch.tensor(CHAPTER_X), **chapter):
            fail(
                f"{what}, with the defaults: expected {show(torch.tensor(CHAPTER_X))}, got "
                f"{show(x)}; with steps=1000 and lr=0.01 given, it is right.",
                mistake="the defaults are not the chapter's: steps=1000, lr=0.01.",
            )
    expect_close(
        x,
        torch.tensor(CHAPTER_X),
        what=what,
        hint="each of the 1000 steps: the gradient at the current x, then opt.step().",
        mistakes=descent_mistakes(f, x0, steps=1000, lr=0.01),
        **chapter,
    )
    expect_close(
        expect_tensor(loss, like=x0, what="loss"),
        torch.tensor(0.0),
        what="the loss at the final x",
        hint="return f at the final x.",
        rtol=0,
        atol=0,
    )
    check_sgd_used(sgd_recorder, steps=1000, closure=closure)
    untouched.check()
    other, x0 = quadratic(0.5, 1, -1), torch.tensor(0.0)  # the chapter's start and defaults
    if compile_recorder is not None:
        compile_recorder.backend_name = "eager"
    with impl.values_only():
        x, _ = expect_tuple(minimise(other, x0), ("x", "loss"))
    expect_close(
        expect_tensor(x, like=x0, what="x"),
        sgd(other, x0, steps=1000, lr=0.01).x,
        what=f"x after 1000 SGD steps (lr=0.01, the defaults) on {other!r} from x = 0",
        hint="each of the 1000 steps: the gradient at the current x, then opt.step().",
        mistakes=(
            (
                lambda: torch.tensor(CHAPTER_X),
                "0.99999857 is the chapter's x, for x**2 - 2*x + 1: hard-coded, or "
                "special-cased for x0 = 0 and the default steps and lr? Minimise the f given.",
            ),
            *descent_mistakes(other, x0, steps=1000, lr=0.01),
        ),
    )


def check_compiled(recorder: CompileEvidence, *, runs: int) -> None:
    """Fail unless the submission ran torch.compile'd code at least `runs` times since the
    recorder's last reset, with no graph break."""
    __tracebackhide__ = True
    if recorder.compile_calls == 0:
        fail(
            "torch.compile was never called: this is the graph-mode exercise.\n"
            "Hint: wrap the work in torch.compile(..., fullgraph=True), as @tf.function does."
        )
    if recorder.graph_runs < runs:
        fail(
            f"the compiled code ran {recorder.graph_runs} times where {runs} were needed: "
            "the work is done in eager code beside the compiled function.\nHint: call the "
            "compiled function for the computation itself, every time it is needed."
        )
    if recorder.graph_breaks:
        reasons = "; ".join(recorder.graph_break_reasons())
        fail(
            f"the compiled code has {recorder.graph_breaks} graph break(s): {reasons}.\n"
            "Hint: torch.autograd.grad, backward() and opt.step() break a graph; inside a "
            "compiled function use torch.func.grad, and keep the optimiser step outside."
        )
