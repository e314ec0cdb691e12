"""Under the learner's own user, a worker could trace the grading process or the warm parent
(ptrace, /proc/PID/mem), where the kernel lets a user trace its own processes, and so change
a verdict, or what every later worker starts from. Both are made non-dumpable, which only
root may trace (engine.untraceable); the workers forked from the warm parent start so too,
the early-started ones out of reach of the exercise's code before them."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from autodiff_kata.engine import warm_up
from autodiff_kata.engine.supervisor import SAME_USER

PR_GET_DUMPABLE = 3

ASKS = """
import ctypes
import torch


def first_derivative(f, x):
    '''Whether this worker, forked from the warm parent, may be traced by its user.'''
    return torch.tensor(float(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)))
"""


def _dumpable() -> int:
    return ctypes.CDLL(None).prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(2) is Linux's")
def test_the_grading_process_and_its_workers_cannot_be_traced_by_their_user(answer, monkeypatch):
    monkeypatch.setenv(SAME_USER, "1")  # the worker keeps this process's user, as a learner's
    warm_up()  # as every grading process does first
    assert _dumpable() == 0, "the grading process may be traced by a worker of its user"
    dumpable = answer(ASKS)
    assert dumpable.item() == 0, "a worker (and so its warm parent) may be traced by its user"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(2) is Linux's")
def test_compare_s_own_process_cannot_be_traced_by_its_user():
    """compare's own process writes the reports, and loads no engine: it asks for itself."""
    asks = (
        "import ctypes\n"
        "from autodiff_kata.compare.command import main\n"
        "main(['/nonexistent-submission'])\n"
        f"print(ctypes.CDLL(None).prctl({PR_GET_DUMPABLE}, 0, 0, 0, 0))\n"
    )
    done = subprocess.run([sys.executable, "-c", asks], capture_output=True, text=True,
                          timeout=60, check=True)  # fmt: skip
    assert done.stdout.strip() == "0", "compare's process may be traced by a worker of its user"
