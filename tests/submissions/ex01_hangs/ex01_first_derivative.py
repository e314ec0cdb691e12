"""Timeout: a loop that never ends."""


def first_derivative(f, x):
    while True:
        pass
