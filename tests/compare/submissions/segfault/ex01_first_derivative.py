"""A hard crash: reads memory at address 0 (a segmentation fault, not an exception)."""

import ctypes


def first_derivative(f, x):
    return ctypes.string_at(0)
