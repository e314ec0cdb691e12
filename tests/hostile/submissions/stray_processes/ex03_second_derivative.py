# --- hostile: a detached writer: double fork and setsid, at import --------------------------
import os as _os
import sys as _sys

_MARKER = "HOSTILE-MARKER-stray_processes-ex03"
# Run in a process of its own: for minutes, rewrite every results file that pytest runs on this
# machine write (--results-json), and every grade cache `check` keeps (--project), to claim
# 8/8.
_WRITER = f"""
import glob, os, time
FAKE = '{{"impl": "HOSTILE-CLAIM", "passed": 8, "total": 8, "exercises": []}}\\n'
targets = set()
for _ in range(1000):
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as file:
                args = file.read().decode(errors="replace").split(chr(0))
        except OSError:
            continue
        for i, arg in enumerate(args[:-1]):
            if arg.startswith("--results-json="):
                targets.add(arg.split("=", 1)[1])
            elif arg == "--project":
                targets.add(os.path.join(args[i + 1], ".kata-grades.json"))
    for path in targets:
        try:
            with open(path, "w") as file:
                file.write(FAKE)
        except OSError:
            pass
    time.sleep(0.3)
# {_MARKER}
"""


def _python():
    """An interpreter this worker may run: under a user of its own, sys.executable may sit
    where it cannot reach."""
    for candidate in (_sys.executable, "/usr/bin/python3"):
        if _os.access(candidate, _os.X_OK):
            return candidate
    return _sys.executable


def _detach(code):
    """Double fork and setsid: the grandchild, in a session of its own, runs `code`."""
    child = _os.fork()
    if child == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:
                _os.execv(_python(), [_python(), "-c", code])
        finally:
            _os._exit(0)
    _os.waitpid(child, 0)


_detach(_WRITER)
