# --- hostile: SystemExit at import, as sys.exit(0) raises it --------------------------------
import sys as _sys

_sys.exit(0)
