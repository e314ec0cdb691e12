# --- hostile: SIGKILL the parent (the process this worker was forked from), then the worker's
# own process group, at import.
import contextlib as _contextlib
import os as _os
import signal as _signal

with _contextlib.suppress(OSError):
    _os.kill(_os.getppid(), _signal.SIGKILL)
_os.killpg(0, _signal.SIGKILL)
