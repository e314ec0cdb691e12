# --- hostile: SIGSTOP, at import, every process forked from the same warm parent as this
# worker: the workers already started for the exercises after this one. Under the same user
# it can; under a user of its own, it cannot signal them.
import contextlib as _contextlib
import os as _os
import signal as _signal


def _siblings():
    for name in _os.listdir("/proc"):
        if name.isdigit() and int(name) != _os.getpid():
            with _contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == _os.getppid():
                    yield int(name)


for _pid in _siblings():
    with _contextlib.suppress(OSError):
        _os.kill(_pid, _signal.SIGSTOP)
