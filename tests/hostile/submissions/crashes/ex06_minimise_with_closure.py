# --- hostile: lift the worker's own cap on the strings it sends, then answer with megabytes
# of text, for the grader to quote in its message.
from autodiff_kata.engine import wire as _wire

_wire.MAX_TEXT = 10**9


def minimise_with_closure(f, x0, *, steps=1000, lr=0.01):
    """Megabytes of text where a tensor belongs."""
    return "HOSTILE " * 10**6, "x" * 10**6
