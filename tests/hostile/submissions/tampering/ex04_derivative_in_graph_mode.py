# --- hostile: at exit, rewrite every results file this machine's pytest runs write (found by
# scanning /proc for --results-json, and --project's grade cache) to claim 8/8.
import atexit as _atexit
import glob as _glob
import os as _os

_FAKE = '{"impl": "HOSTILE-CLAIM", "passed": 8, "total": 8, "exercises": []}\n'


def _results_files():
    found = set()
    for cmdline in _glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as file:
                args = file.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for i, arg in enumerate(args):
            following = args[i + 1] if i + 1 < len(args) else ""
            if arg.startswith("--results-json="):
                found.add(arg.split("=", 1)[1])
            elif arg == "--results-json":
                found.add(following)
            elif arg == "--project":
                found.add(_os.path.join(following, ".kata-grades.json"))
    return found


def _claim_all_pass():
    for path in _results_files():
        try:
            with open(path, "w") as file:
                file.write(_FAKE)
        except OSError:
            pass


_atexit.register(_claim_all_pass)
