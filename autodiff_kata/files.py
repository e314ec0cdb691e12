"""Files written whole: to a scratch name beside the target, then renamed into place, so that a
reader sees the old file or the new one, never half of one, and a link or file someone else put
at the target's name is replaced, not written through."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Raises OSError where the folder cannot be written; no scratch file is left behind."""
    descriptor, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(scratch)
        raise
