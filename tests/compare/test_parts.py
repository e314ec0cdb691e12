"""The parts of `compare` that need no subprocess: code fingerprints, deviations, naming
submissions, and reading the runner's messages."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from autodiff_kata.compare.batch import module_folder, submissions, summary
from autodiff_kata.compare.probe import Probe, deviation
from autodiff_kata.compare.similarity import fingerprint, fingerprint_file, groups
from autodiff_kata.registry import EXERCISES, PROJECT_ROOT
from autodiff_kata.results import Status

PUBLIC = ["first_derivative"]

SOLUTION = '''
"""Exercise 1."""
import torch


def first_derivative(f, x):
    """Return df/dx."""
    x = x.detach().requires_grad_()
    (dydx,) = torch.autograd.grad(f(x), x)
    return dydx
'''

RENAMED = """
import torch as t
from torch import Tensor


def first_derivative(function, point: Tensor) -> Tensor:
    # differentiate a copy
    point = point.detach().requires_grad_()
    (slope,) = t.autograd.grad(function(point), point)  # one input, one gradient
    return slope
"""

WITH_HELPER = """
import torch


def _copy(tensor):
    return tensor.detach().requires_grad_()


def first_derivative(f, x):
    x = _copy(x)
    return torch.autograd.grad(f(x), x)[0]
"""

WITH_HELPER_RENAMED = """
import torch


def make_leaf(t):
    '''A leaf that requires grad.'''
    return t.detach().requires_grad_()


def first_derivative(g, v):
    v = make_leaf(v)
    return torch.autograd.grad(g(v), v)[0]
"""

DIFFERENT = """
import torch


def first_derivative(f, x):
    x = x.detach().requires_grad_()
    f(x).backward()
    return x.grad
"""


def test_names_comments_docstrings_annotations_and_aliases_do_not_count():
    assert fingerprint(SOLUTION, PUBLIC) == fingerprint(RENAMED, PUBLIC)
    assert fingerprint(WITH_HELPER, PUBLIC) == fingerprint(WITH_HELPER_RENAMED, PUBLIC)


def test_different_code_differs():
    prints = {fingerprint(code, PUBLIC) for code in (SOLUTION, WITH_HELPER, DIFFERENT)}
    assert len(prints) == 3


def test_the_public_function_name_counts():
    assert fingerprint(SOLUTION, PUBLIC) != fingerprint(
        SOLUTION.replace("def first_derivative", "def derivative"), PUBLIC
    )


def test_the_reference_matches_a_copy_of_itself_and_not_the_stub():
    for exercise in EXERCISES:
        path = PROJECT_ROOT / "solutions" / exercise.filename
        assert fingerprint_file(path, exercise.functions) == fingerprint(
            path.read_text(), exercise.functions
        )
        assert fingerprint_file(path, exercise.functions) is not None


def test_stubs_and_broken_code_have_no_fingerprint():
    for exercise in EXERCISES:
        assert (
            fingerprint_file(PROJECT_ROOT / "kata" / exercise.filename, exercise.functions) is None
        )
    assert fingerprint("def first_derivative(f, x)\n    return x\n", PUBLIC) is None
    assert fingerprint_file(Path("/no/such/file.py"), PUBLIC) is None


def test_groups_hold_two_or_more_and_skip_missing_fingerprints():
    found = groups({"b": "1", "a": "1", "c": "2", "d": None, "e": None, "f": "3", "g": "3"})
    assert found == [["a", "b"], ["f", "g"]]


def test_deviation_is_the_largest_difference_over_every_output():
    assert deviation(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5])) == 0.5
    assert deviation((torch.tensor(1.0), 3.0), (torch.tensor(1.25), 2.0)) == 1.0
    assert deviation(torch.tensor(1.0), torch.tensor(1.0, dtype=torch.float64)) == 0


def test_deviation_is_infinite_when_the_outputs_do_not_line_up():
    assert math.isinf(deviation(torch.zeros(3), torch.zeros(())))
    assert math.isinf(deviation((torch.zeros(()),), (torch.zeros(()), torch.zeros(()))))
    assert math.isinf(deviation("2.0", torch.zeros(())))
    assert math.isinf(deviation(torch.tensor(math.nan), torch.tensor(0.0)))
    assert deviation(torch.tensor(math.nan), torch.tensor(math.nan)) == 0


def test_a_probe_survives_its_json_round_trip():
    for probe in (Probe("m", math.inf, 2.0), Probe("m", 0.5, None, "not implemented")):
        assert Probe.from_dict(probe.to_dict()) == probe


def test_submissions_are_named_after_their_folder_and_kept_apart(tmp_path):
    for folder in ("alice/kata", "bob", "team/bob", "carol-checkout/kata"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / EXERCISES[0].filename).write_text("")
    found = submissions(
        [
            tmp_path / "alice",
            tmp_path / "bob",
            tmp_path / "team/bob",
            tmp_path / "carol-checkout/kata",
        ]
    )
    assert [s.name for s in found] == ["alice", "bob", "bob-2", "carol-checkout"]
    assert found[0].folder == tmp_path / "alice/kata"  # a checkout: its kata/ folder
    assert found[3].folder == tmp_path / "carol-checkout/kata"
    assert module_folder(tmp_path / "bob") == tmp_path / "bob"


def test_a_submission_is_never_called_reference(tmp_path):
    (tmp_path / "reference").mkdir()
    assert submissions([tmp_path / "reference"])[0].name == "reference-2"


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (
            Status.CRASHED,
            "the grading process died of SIGSEGV (a segfault).",
            "SIGSEGV: a segfault",
        ),
        (Status.CRASHED, "the grading process died of 7.", "7"),
        (
            Status.CRASHED,
            "the grading process exited with code 3 mid-test: x",
            "exited with code 3",
        ),
        (
            Status.TIMEOUT,
            "still running 25 s after the test began",
            "still running at the time limit",
        ),
        (
            Status.ERROR,
            "exercise 01 First derivative: ex01.py has a syntax error at line 4: expected ':'",
            "syntax error, line 4",
        ),
        (
            Status.ERROR,
            "exercise 01 First derivative: importing ex01.py failed:\n  x",
            "import failed",
        ),
        (
            Status.ERROR,
            "exercise 01 First derivative: ex01.py has no function f(); keep",
            "function missing",
        ),
        (
            Status.NOT_IMPLEMENTED,
            "exercise 01 First derivative: not implemented yet — open",
            "stub",
        ),
    ],
)
def test_the_table_summarises_why_an_exercise_gave_no_answer(status, message, expected):
    assert summary(status, message) == expected
