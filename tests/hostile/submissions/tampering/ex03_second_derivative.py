# --- hostile: skip every test that calls it, with pytest's own skip exception --------------


def second_derivative(f, x):
    """Raises pytest's Skipped for every input, as if the test had chosen to skip."""
    import pytest

    pytest.skip("HOSTILE: nothing to grade here")
