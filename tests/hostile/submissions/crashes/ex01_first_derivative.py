# --- hostile: end the process at import, skipping every handler: os._exit(0) ---------------
import os as _os

_os._exit(0)
