# --- hostile: a segfault at import: read address 0 -----------------------------------------
import ctypes as _ctypes

_ctypes.string_at(0)
