"""The probe's isolation: the submission's code runs in an engine worker, so one that kills
or wedges its worker costs that exercise its figures, never the reference's worker nor the
exercises probed after it."""

from __future__ import annotations

from pathlib import Path

import pytest

from autodiff_kata import runner
from autodiff_kata.compare.probe import Prober, Reference, probe_exercise
from autodiff_kata.engine.supervisor import Limits
from autodiff_kata.registry import find
from autodiff_kata.results import Status

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = Path(__file__).parent / "submissions"
SOLUTIONS = ROOT / "solutions"

STUCK = '''
"""Blocks the guard's alarm signal, then loops: only the supervisor's kill stops it."""

import signal


def first_derivative(f, x):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        pass
'''


@pytest.fixture(scope="module")
def reference():
    loaded = Reference(SOLUTIONS, [find(1), find(2)], Limits(seconds=10))
    loaded.load()
    return loaded


def test_a_segfault_costs_only_its_own_exercise(reference):
    limits = Limits(seconds=10)
    segfault = SUBMISSIONS / "segfault"
    crashed = probe_exercise(find(1), segfault / find(1).filename, reference, limits)
    assert (crashed.deviation, crashed.speed_ratio) == (None, None)
    assert crashed.note == "SIGSEGV: a segfault"
    missing = probe_exercise(find(2), segfault / find(2).filename, reference, limits)
    assert missing.note == "module missing"
    # the reference's worker is untouched: the reference against itself
    same = probe_exercise(find(1), SOLUTIONS / find(1).filename, reference, limits)
    assert (same.deviation, same.note) == (0.0, "")
    assert same.speed_ratio is not None and 0 < same.speed_ratio < 100


def test_a_hang_the_alarm_cannot_stop_is_killed(reference, tmp_path):
    (tmp_path / find(1).filename).write_text(STUCK)
    limits = Limits(seconds=1, grace=1)
    found = probe_exercise(find(1), tmp_path / find(1).filename, reference, limits)
    assert found.note == "stuck past the time limit"
    assert found.deviation is None


def test_a_wrong_answer_is_measured(reference):
    limits = Limits(seconds=10)
    found = probe_exercise(find(1), SUBMISSIONS / "wrong" / find(1).filename, reference, limits)
    assert found.deviation is not None and 1e-3 < found.deviation < 1
    assert found.speed_ratio is not None


def test_a_broken_reference_says_so(tmp_path):
    (tmp_path / find(1).filename).write_text("def first_derivative(f, x):\n    return 1 / 0\n")
    limits = Limits(seconds=10)
    broken = Reference(tmp_path, [find(1)], limits)
    broken.load()
    found = probe_exercise(find(1), SOLUTIONS / find(1).filename, broken, limits)
    assert found.note == "reference: raised ZeroDivisionError: division by zero"


def test_the_reference_is_measured_before_any_submission_runs(tmp_path):
    """Its outputs and its time are taken as the session starts, and its workers closed: a
    reference file changed afterwards (by a submission, say) changes no probe."""
    module = tmp_path / find(1).filename
    module.write_text((SOLUTIONS / find(1).filename).read_text())
    limits = Limits(seconds=10)
    loaded = Reference(tmp_path, [find(1)], limits)
    loaded.load()
    module.write_text("def first_derivative(f, x):\n    return 1 / 0\n")
    found = probe_exercise(find(1), SOLUTIONS / find(1).filename, loaded, limits)
    assert (found.deviation, found.note) == (0.0, "")
    assert found.speed_ratio is not None and 0 < found.speed_ratio < 100


def test_an_exercise_is_probed_in_the_worker_it_was_graded_in(reference):
    """compare's probe runs as the exercise's last test ends, in its worker: figures for an
    exercise that ran to an answer, none for one whose worker crashed."""
    limits = Limits(seconds=10)
    answered = Prober(reference, limits)
    runner.grade(SOLUTIONS, [find(1)], root=ROOT, limits=limits, plugins=[answered])
    found = answered.found["ex01_first_derivative"]
    assert (found.deviation, found.note) == (0.0, "")
    assert found.speed_ratio is not None and 0 < found.speed_ratio < 100
    crashed = Prober(reference, limits)
    graded = runner.grade(SUBMISSIONS / "segfault", [find(1)], root=ROOT, plugins=[crashed])
    assert graded.report.exercises[0].status == Status.CRASHED
    assert crashed.found == {}


def test_a_probe_that_breaks_loses_its_figures_never_the_verdict():
    class Broken(Reference):
        def expected(self, module):
            raise RuntimeError("a bug of the probe's")

    broken = Broken(SOLUTIONS, [find(1)], Limits(seconds=10))
    prober = Prober(broken, Limits(seconds=10))
    graded = runner.grade(SOLUTIONS, [find(1)], root=ROOT, plugins=[prober])
    assert graded.report.exercises[0].status == Status.PASSED
    assert prober.found["ex01_first_derivative"].note == "RuntimeError"
