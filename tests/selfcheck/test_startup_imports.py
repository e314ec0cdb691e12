"""compare's own process never needs torch (its grading sessions load it), and the command line
needs it only once pytest runs, after the plugin has started the workers' warm parent: torch
imported as either starts costs 1-2 s of a core that the sessions, or the warm parent, use;
imported by compare's sweep, after the sessions end, it costs every batch 1.5 s before the
report."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["autodiff_kata.cli", "autodiff_kata.compare.command"])
def test_starting_imports_no_torch(module):
    check = f"import sys, {module}; print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False", f"{module} imports torch as it starts"


def test_compare_s_sweep_imports_no_torch():
    """The sweep kills what the sessions left (their warm parents, still ending) and removes
    the control groups of the workers among them."""
    check = (
        "import subprocess, sys; from autodiff_kata.compare import processes; "
        "left = subprocess.Popen(['sleep', '60']); "
        "print(processes.sweep(set()), left.poll() is not None, 'torch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["set()", "True", "False"], done.stdout
