# --- hostile: at import, stop the oldest process forked from the same warm parent as this
# worker, and kill the others: the workers already started for the exercises after this one
# (exercise 2's, then exercise 4's, the next with more to prepare). Under the same user it
# can; under a user of its own, it cannot signal them.
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
                    yield int(fields[19]), int(name)  # started, in clock ticks after boot


for _number, (_, _pid) in enumerate(sorted(_siblings())):
    with _contextlib.suppress(OSError):
        _os.kill(_pid, _signal.SIGSTOP if _number == 0 else _signal.SIGKILL)
