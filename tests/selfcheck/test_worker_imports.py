"""A worker run as root drops to a user of its own, who may be unable to open the folders
Python and the project live in (a checkout under /root, installed in editable mode: found by
its package's folder, not by sys.path). What was imported before the switch stays importable
after it: a grader may send a function of a module the worker has not imported yet."""

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="switching users needs root"
)

AFTER_THE_SWITCH = textwrap.dedent(
    """
    import importlib.util, os, sys
    from autodiff_kata.engine.worker import _keep_importing

    home = sys.argv[1]  # a folder only root can open, not on sys.path
    spec = importlib.util.spec_from_file_location(
        "private_package", os.path.join(home, "private_package", "__init__.py")
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["private_package"] = package
    spec.loader.exec_module(package)
    _keep_importing()
    os.setgid(65534)
    os.setuid(65534)
    from private_package import later  # not imported before the switch
    print(later.ANSWER)
    """
)


def test_a_package_in_a_folder_the_worker_cannot_open_still_imports(tmp_path):
    home = tmp_path / "home"
    package = home / "private_package"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "later.py").write_text("ANSWER = 42\n")
    home.chmod(0o700)
    tmp_path.chmod(0o755)
    done = subprocess.run(
        [sys.executable, "-c", AFTER_THE_SWITCH, str(home)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "42"
