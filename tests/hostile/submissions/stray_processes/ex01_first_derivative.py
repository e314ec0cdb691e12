# --- hostile: children started at import that would outlive the run: a Python sleeper and a
# shell loop, each with the marker on its command line.
import os as _os
import subprocess as _subprocess
import sys as _sys

_MARKER = "HOSTILE-MARKER-stray_processes-ex01"


def _python():
    """An interpreter this worker may run: under a user of its own, sys.executable may sit
    where it cannot reach."""
    for candidate in (_sys.executable, "/usr/bin/python3"):
        if _os.access(candidate, _os.X_OK):
            return candidate
    return _sys.executable


_subprocess.Popen([_python(), "-c", f"import time; time.sleep(600)  # {_MARKER}"])
_subprocess.Popen(["/bin/sh", "-c", f"while :; do sleep 1; done  # {_MARKER}"])
