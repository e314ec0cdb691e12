# --- hostile: files left, at import, in every folder where any user may write; those in
# /dev/shm take memory that no limit of the worker's counts.
import os as _os

_MARKER = "HOSTILE-MARKER-stray_processes-ex09"

for _folder in ("/tmp", "/var/tmp", "/dev/shm"):
    try:
        with open(_os.path.join(_folder, f"{_MARKER}-{_os.getpid()}"), "wb") as _file:
            _file.write(b"\0" * 2**20)
        _os.makedirs(_os.path.join(_folder, f"{_MARKER}-folder-{_os.getpid()}", "inside"))
    except OSError:
        pass
