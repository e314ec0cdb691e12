# --- hostile: recursion without end, with the recursion limit lifted: the C stack runs out -
import sys as _sys

_sys.setrecursionlimit(10**6)


def _deeper(depth):
    return _deeper(depth + 1) + 1


_deeper(0)
