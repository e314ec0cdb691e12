"""The probe's own isolation: a submission that kills or wedges the probe process costs that
exercise its figures, never the batch, and the exercises after it are still probed."""

from __future__ import annotations

from pathlib import Path

from autodiff_kata.compare.batch import Options, probe
from autodiff_kata.registry import find

SUBMISSIONS = Path(__file__).parent / "submissions"

STUCK = '''
"""Blocks the guard's alarm signal, then loops: only the watchdog's kill stops it."""

import signal


def first_derivative(f, x):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    while True:
        pass
'''


def test_a_segfault_costs_only_its_own_exercise():
    options = Options(exercises=(find(1), find(2)), test_seconds=10)
    first, second = probe(SUBMISSIONS / "segfault", [find(1), find(2)], options)
    assert (first.module, first.deviation, first.speed_ratio) == (find(1).module, None, None)
    assert first.note == "probe died of signal 11"
    # probed afterwards, in a fresh process: the module is missing from this submission
    assert second.module == find(2).module
    assert "does not exist" in second.note


def test_a_hang_the_guard_cannot_stop_is_killed(tmp_path):
    (tmp_path / find(1).filename).write_text(STUCK)
    options = Options(exercises=(find(1),), test_seconds=1, kill_grace_seconds=1)
    (found,) = probe(tmp_path, [find(1)], options)
    assert found.note == "probe stopped: still running past the time limit"
    assert found.deviation is None
