# --- hostile: 100 MiB written to stderr at import ------------------------------------------
import sys as _sys

_chunk = "HOSTILE " * (2**20 // 8)
for _ in range(100):
    _sys.stderr.write(_chunk)
_sys.stderr.flush()
