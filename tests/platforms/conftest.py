"""The checkout the grading platforms' tests run the README's instructor commands in."""

from __future__ import annotations

from pathlib import Path

import pytest
from platforms import copy_checkout


@pytest.fixture(scope="session")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_checkout(tmp_path_factory.mktemp("checkout"))
