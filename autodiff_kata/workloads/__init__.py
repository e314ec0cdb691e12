"""What the compare probe and the benchmarks give each exercise, one module per exercise.

`<module>.py` (named after the exercise's module in exercises.toml) holds:

- `PROBE`: a `probe.Workload`, the fixed inputs compare sends the submission and the reference
  (every output compared), and the call it times against the reference's; None for no probe;
- `BENCHMARKS`: the exercise's `bench.Case`s, each with the call it times (see bench.py).

This file holds the inputs several exercises share.
"""

from __future__ import annotations

import torch

from autodiff_kata.compare.probe import Case
from autodiff_kata.functions import Fn, FnOfConstants, Term, VectorFn, quadratic

#: Smooth functions away from the chapter's quadratic: a hard-coded answer shows.
WAVY = Fn((Term("sin", 1.5, 0.8, 0.3), Term("x**2", 0.5), Term("tanh", -1.2, 1.1)))
BOWL = Fn((Term("x**2", 0.7, 1.0, 0.4), Term("softplus", 1.3, 0.9, -0.5)))
OF_CONSTANTS = FnOfConstants(
    scaled=((0, 2, Term("sin", 1.0, 1.2)), (2, 1, Term("x"))), rest=(), n_constants=3
)
#: The chapter's f(x) = x² + 2x + 3, and the f(x) = x² − 2x + 1 it minimises.
CHAPTER = quadratic(1, 2, 3)
CHAPTER_MINIMISED = quadratic(1, -2, 1)

#: The descents (exercises 5–8 and 16) are probed alike: 100 of the chapter's steps (its
#: 1000 are graded already, and cost a second a submission here), a vector in float32 and a
#: scalar in float64; the timed call is 50 steps from a vector.
DESCENTS = [
    Case((CHAPTER_MINIMISED, torch.tensor(0.0)), {"steps": 100, "lr": 0.01}),
    Case((BOWL, torch.tensor([0.5, -1.0, 2.0])), {"steps": 100, "lr": 0.05}),
    Case((WAVY, torch.tensor(1.0, dtype=torch.float64)), {"steps": 50, "lr": 0.1}),
]
DESCENT_TIMED = Case((BOWL, torch.tensor([0.5, -1.0, 2.0])), {"steps": 50, "lr": 0.05})

#: A function from 3 numbers to 2, each output mixing every input (exercises 9 and 12).
MIXING = VectorFn(
    ((1.2, -0.7, 0.4), (0.3, 0.9, -1.1)), (Term("sin", 1.0, 0.8),), (Term("tanh", 1.5, 0.6),)
)
