"""A pytest plugin (`-p autodiff_kata.compare.guard`) for the grading processes of `compare`.

Python starts with SIGXFSZ ignored, so a write past RLIMIT_FSIZE raises OSError (EFBIG) in
whatever code wrote: a submission that prints endlessly would then "fail" with an error
inside its own print, once per example, slowly. Restoring the default action makes the
kernel stop the process at the limit instead, which the runner reports as crashed with
"SIGXFSZ (too much output)".
"""

from __future__ import annotations

import signal

if hasattr(signal, "SIGXFSZ"):
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
