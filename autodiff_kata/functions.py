"""The functions graders differentiate and minimise: the chapter's, and random ones.

Random functions are what make hard-coded values and hand-derived formulas fail. Each is a
small sum of terms, `coef * prim(scale * (x - shift))`, callable on tensors of any dtype,
device and shape (terms act elementwise, then sum to a scalar), and printed as a formula so
that a failing example reads like a maths exercise.

Functions with a kink exactly at the point where they are differentiated (relu or abs of
`scale * (x - point)`) are what make numerical differentiation fail: there PyTorch's
autograd gives its documented subgradient (0 for both), and a finite difference the slope
of one side or the average of both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from hypothesis import strategies as st
from torch import Tensor

PRIMITIVES: dict[str, Callable[[Tensor], Tensor]] = {
    "1": torch.ones_like,
    "x": lambda u: u,
    "x**2": lambda u: u**2,
    "x**3": lambda u: u**3,
    "sin": torch.sin,
    "cos": torch.cos,
    "exp": torch.exp,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": torch.nn.functional.softplus,
    "logcosh": lambda u: torch.log(torch.cosh(u)),
    "relu": torch.relu,
    "abs": torch.abs,
}
NONLINEAR = ["x**2", "x**3", "sin", "cos", "exp", "tanh", "sigmoid", "softplus", "logcosh"]
CONVEX = ["x**2", "softplus", "logcosh"]
KINKS = ["relu", "abs"]  # not differentiable at 0, where autograd's subgradient is 0


def _number(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class Term:
    prim: str
    coef: float = 1.0
    scale: float = 1.0
    shift: float = 0.0

    def __call__(self, x: Tensor) -> Tensor:
        return self.coef * PRIMITIVES[self.prim](self.scale * (x - self.shift))

    def inner(self) -> str:
        u = (
            "x"
            if self.shift == 0
            else f"(x {'-' if self.shift > 0 else '+'} {_number(abs(self.shift))})"
        )
        return u if self.scale == 1 else f"{_number(self.scale)}*{u}"

    def body(self) -> str:
        """The term without its coefficient."""
        if self.prim == "1":
            return "1"
        if self.prim.startswith("x"):
            u = self.inner()
            base = u if u == "x" or self.prim == "x" else f"({u})"
            return base + self.prim[1:]
        inner = self.inner()
        return f"{self.prim}({inner[1:-1] if self.scale == 1 and self.shift else inner})"

    def __str__(self) -> str:
        if self.prim == "1":
            return _number(self.coef)
        return self.body() if self.coef == 1 else f"{_number(self.coef)}*{self.body()}"


@dataclass(frozen=True)
class Fn:
    """f(x) = the sum of its terms, summed over x's elements."""

    terms: tuple[Term, ...]

    def __call__(self, x: Tensor) -> Tensor:
        y = self.terms[0](x)
        for term in self.terms[1:]:
            y = y + term(x)
        return y.sum()

    def __repr__(self) -> str:
        return "f(x) = " + " + ".join(map(str, self.terms)).replace("+ -", "- ")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis prints failing examples with this

    def kinks(self) -> list[float]:
        """The points where a term is not differentiable."""
        return [term.shift for term in self.terms if term.prim in KINKS]


@dataclass(frozen=True)
class FnOfConstants:
    """f(x, c0, c1, ...) = Σ c_i**power_i * term_i(x) + rest(x); some constants may go unused."""

    scaled: tuple[tuple[int, int, Term], ...]  # (constant index, power, term)
    rest: tuple[Term, ...]
    n_constants: int

    def __call__(self, x: Tensor, *constants: Tensor) -> Tensor:
        y = x * 0
        for index, power, term in self.scaled:
            y = y + constants[index] ** power * term(x)
        for term in self.rest:
            y = y + term(x)
        return y.sum()

    def __repr__(self) -> str:
        names = ", ".join(f"c{i}" for i in range(self.n_constants))
        parts = [_scaled(index, power, term) for index, power, term in self.scaled]
        parts += map(str, self.rest)
        return f"f(x, {names}) = " + " + ".join(parts).replace("+ -", "- ")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def kinks(self) -> list[float]:
        """The values of x where a term is not differentiable."""
        terms = [term for _, _, term in self.scaled] + list(self.rest)
        return [term.shift for term in terms if term.prim in KINKS]


def _scaled(index: int, power: int, term: Term) -> str:
    constant = f"c{index}" + ("**2" if power == 2 else "")
    coef = "" if term.coef == 1 else f"{_number(term.coef)}*"
    return coef + constant + ("" if term.prim == "1" else f"*{term.body()}")


def quadratic(a: float, b: float, c: float) -> Fn:
    """The chapter's f(x) = a·x² + b·x + c."""
    return Fn((Term("x**2", a), Term("x", b), Term("1", c)))


def chapter_quadratic_of_constants() -> FnOfConstants:
    """The chapter's f(x, a, b, c) = a·x² + b·x + c, the constants as arguments."""
    return FnOfConstants(
        scaled=((0, 1, Term("x**2")), (1, 1, Term("x")), (2, 1, Term("1"))), rest=(), n_constants=3
    )


def _rounded(low: float, high: float, *, nonzero: bool = False) -> st.SearchStrategy[float]:
    """Numbers with at most two decimals, so formulas stay readable."""
    values = st.integers(round(low * 100), round(high * 100)).map(lambda n: n / 100)
    return values.filter(lambda v: abs(v) >= 0.1) if nonzero else values


def terms(prims: list[str], *, positive: bool = False) -> st.SearchStrategy[Term]:
    coef = _rounded(0.2, 2.0) if positive else _rounded(-2.0, 2.0, nonzero=True)
    scale = _rounded(0.5, 1.5) if positive else _rounded(-1.5, 1.5, nonzero=True)
    return st.builds(Term, st.sampled_from(prims), coef, scale, _rounded(-1.0, 1.0))


def smooth_functions(max_terms: int = 3) -> st.SearchStrategy[Fn]:
    """Nonlinear functions with derivatives of moderate size on [-2, 2]."""
    return st.lists(terms(NONLINEAR), min_size=1, max_size=max_terms).map(lambda t: Fn(tuple(t)))


def convex_functions() -> st.SearchStrategy[Fn]:
    """Convex functions whose curvature keeps SGD stable for a learning rate up to 0.1."""
    return st.lists(terms(CONVEX, positive=True), min_size=1, max_size=2).map(
        lambda t: Fn(tuple(t))
    )


@st.composite
def functions_of_constants(draw: st.DrawFn, n_constants: int | None = None) -> FnOfConstants:
    n_constants = n_constants or draw(st.integers(1, 4))
    used = draw(st.lists(st.integers(0, n_constants - 1), min_size=1, max_size=3))
    scaled = tuple(
        (index, draw(st.sampled_from([1, 2])), draw(terms(["1", "x", *NONLINEAR])))
        for index in used
    )
    rest = tuple(draw(st.lists(terms(NONLINEAR), max_size=1)))
    return FnOfConstants(scaled, rest, n_constants)


@st.composite
def tensors(
    draw: st.DrawFn,
    shapes: tuple[tuple[int, ...], ...] = ((),),
    dtypes: tuple[torch.dtype, ...] = (torch.float32, torch.float64),
) -> Tensor:
    """CPU tensors of the given shapes and dtypes, values in [-2, 2]; tests move them."""
    shape = draw(st.sampled_from(shapes))
    count = 1
    for size in shape:
        count *= size
    values = draw(st.lists(points(), min_size=count, max_size=count))
    return torch.tensor(values, dtype=draw(st.sampled_from(dtypes))).reshape(shape)


@st.composite
def kinked_functions(draw: st.DrawFn, point: float, max_smooth_terms: int = 2) -> Fn:
    """A smooth function plus relu or abs of `scale * (x - point)`: a kink exactly at
    `point` (x - point is exactly 0 there, in any dtype), in the middle of the formula."""
    smooth = draw(st.lists(terms(NONLINEAR), max_size=max_smooth_terms))
    kink = draw(terms(KINKS).map(lambda t: Term(t.prim, t.coef, t.scale, point)))
    where = draw(st.integers(0, len(smooth)))
    return Fn((*smooth[:where], kink, *smooth[where:]))


@st.composite
def functions_of_constants_kinked_at(
    draw: st.DrawFn, point: float, n_constants: int | None = None
) -> FnOfConstants:
    """functions_of_constants(n_constants), with a kink in x exactly at `point` among its
    terms."""
    f = draw(functions_of_constants(n_constants))
    kink = draw(terms(KINKS).map(lambda t: Term(t.prim, t.coef, t.scale, point)))
    return FnOfConstants(f.scaled, (*f.rest, kink), f.n_constants)


@st.composite
def other_points(draw: st.DrawFn, like: Tensor, chapter: float = 0.0) -> Tensor:
    """A second point for the same function: `like`'s shape, dtype and device, sometimes
    the chapter's own input (every element `chapter`), so that an answer special-cased for
    it, or cached from the first point, shows."""
    if draw(st.booleans()):
        return torch.full_like(like, chapter)
    values = draw(st.lists(points(), min_size=like.numel(), max_size=like.numel()))
    return torch.tensor(values, dtype=like.dtype).reshape(like.shape).to(like.device)


def learning_rates() -> st.SearchStrategy[float]:
    return st.integers(1, 100).map(lambda n: n / 1000)


def points(low: float = -2.0, high: float = 2.0) -> st.SearchStrategy[float]:
    return _rounded(low, high)


# beyond the chapter: functions with many outputs, and forward passes that do not repeat -------

#: Elementwise terms that keep a vector function's values and slopes moderate on [-2, 2].
BOUNDED = ["x", "x**2", "sin", "tanh", "sigmoid", "softplus"]


def _elementwise(terms: tuple[Term, ...], x: Tensor) -> Tensor:
    y = terms[0](x)
    for term in terms[1:]:
        y = y + term(x)
    return y


def _formula(terms: tuple[Term, ...], name: str) -> str:
    """The terms as a formula of `name` (the variable x renamed, exp and its kind left)."""
    return " + ".join(re.sub(r"\bx\b", name, str(t)) for t in terms).replace("+ -", "- ")


@dataclass(frozen=True)
class VectorFn:
    """f(x) = outer(M @ inner(x)): n inputs to m outputs, along x's last dimension, so that
    a batch of inputs (b, n) gives a batch of outputs (b, m). `inner` and `outer` act
    elementwise; M mixes the inputs, so that each output depends on every input and the
    Jacobian is neither diagonal nor symmetric."""

    matrix: tuple[tuple[float, ...], ...]  # m rows of n
    inner: tuple[Term, ...]
    outer: tuple[Term, ...]

    @property
    def inputs(self) -> int:
        return len(self.matrix[0])

    @property
    def outputs(self) -> int:
        return len(self.matrix)

    def __call__(self, x: Tensor) -> Tensor:
        m = torch.tensor(self.matrix, dtype=x.dtype, device=x.device)
        return _elementwise(self.outer, _elementwise(self.inner, x) @ m.T)

    def __repr__(self) -> str:
        rows = "; ".join(" ".join(_number(v) for v in row) for row in self.matrix)
        return (
            f"f(x) = {_formula(self.outer, 'v')}, v = M @ u, u = {_formula(self.inner, 'x')}, "
            f"M = [{rows}]"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@st.composite
def vector_functions(
    draw: st.DrawFn, inputs: st.SearchStrategy[int], outputs: st.SearchStrategy[int]
) -> VectorFn:
    """Functions from `inputs` numbers to `outputs` numbers, each output mixing every input."""
    n, m = draw(inputs), draw(outputs)
    entry = _rounded(-1.5, 1.5, nonzero=True)
    matrix = tuple(tuple(draw(entry) for _ in range(n)) for _ in range(m))
    inner = tuple(draw(st.lists(terms(BOUNDED), min_size=1, max_size=2)))
    outer = tuple(draw(st.lists(terms(BOUNDED), min_size=1, max_size=1)))
    return VectorFn(matrix, inner, outer)


@dataclass
class DriftingFn:
    """f(x + drift·k) at its k-th call: like a forward pass with dropout, it does not repeat,
    so that two results meant to come from one forward pass differ when it runs twice. The
    graders' oracles call `at_first_call`, never the function itself."""

    fn: Fn
    drift: float
    calls: int = 0

    def __call__(self, x: Tensor) -> Tensor:
        shift, self.calls = self.drift * self.calls, self.calls + 1
        return self.fn(x + shift)

    def at_first_call(self, x: Tensor) -> Tensor:
        return self.fn(x)

    def at_second_call(self, x: Tensor) -> Tensor:
        return self.fn(x + self.drift)

    def __repr__(self) -> str:
        return f"{self.fn!r} (each call sees x moved by {_number(self.drift)} more)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def bounded_functions(max_terms: int = 2) -> st.SearchStrategy[Fn]:
    """Functions with moderate slopes wherever their input lands (a function of a function's
    output, whose size is not known in advance)."""
    return st.lists(terms(BOUNDED), min_size=1, max_size=max_terms).map(lambda t: Fn(tuple(t)))


# beyond the chapter: curvature, and losses of a parameter and a sample --------------------


@dataclass(frozen=True)
class ScalarOfVector:
    """f(x) = outer(inner(x)), a scalar of a vector whose inputs mix (inner is a VectorFn):
    its Hessian is neither diagonal nor constant, as an elementwise function's would be."""

    outer: Fn
    inner: VectorFn

    @property
    def inputs(self) -> int:
        return self.inner.inputs

    def __call__(self, x: Tensor) -> Tensor:
        return self.outer(self.inner(x))

    def __repr__(self) -> str:
        inner = repr(self.inner).removeprefix("f(x) = ")
        return f"f(x) = sum of {_formula(self.outer.terms, 'y')}, y = {inner}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class ScalarOfLongVector:
    """f(x) = n·outer(mean(w ⊙ x)) + Σ inner(x), w = linspace(-1, 1, n) for x of n inputs:
    a few passes over x to evaluate, yet every pair of inputs meets in `outer`, so its Hessian
    (outer''·w wᵀ/n, plus inner'' on the diagonal) is dense. At a million inputs that is 10¹²
    numbers: only an H·v that never builds the Hessian can be asked for."""

    outer: Fn
    inner: Fn

    def __call__(self, x: Tensor) -> Tensor:
        n = x.shape[-1]
        w = torch.linspace(-1, 1, n, dtype=x.dtype, device=x.device)
        # the mean kept as a vector of one: torch.func.jvp makes a 0-d float32 tangent float64
        # when a Python number meets it (as each Term's coef, scale and shift do)
        return n * self.outer((w * x).mean(-1, keepdim=True)) + self.inner(x)

    def __repr__(self) -> str:
        outer = repr(self.outer).removeprefix("f(x) = ")
        inner = repr(self.inner).removeprefix("f(x) = ")
        return (
            f"f(x) = n * g(mean(w * x)) + sum of h(x), g(x) = {outer}, h(x) = {inner}, "
            "w = linspace(-1, 1, n), n = len(x)"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def cubic_of_two(x: Tensor) -> Tensor:
    """f(x) = x₀²·x₁ + x₁³, exercise 13's worked example (defined here, not in its grader, so
    that a worker can unpickle it)."""
    return x[0] ** 2 * x[1] + x[1] ** 3


@st.composite
def scalars_of_vectors(draw: st.DrawFn, inputs: st.SearchStrategy[int]) -> ScalarOfVector:
    """Nonlinear scalars of `inputs` numbers, each mixing every input."""
    inner = draw(vector_functions(inputs, st.integers(1, 3)))
    return ScalarOfVector(draw(smooth_functions(max_terms=2)), inner)


@dataclass(frozen=True)
class SampleLoss:
    """loss(w, x) = f(w @ x): a parameter w (m, n) or (n,) and one sample x (n,), as a layer
    and its loss; f sums over the layer's outputs."""

    f: Fn

    def __call__(self, w: Tensor, x: Tensor) -> Tensor:
        return self.f(w @ x)

    def __repr__(self) -> str:
        return f"loss(w, x) = f(w @ x), {self.f!r}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))
