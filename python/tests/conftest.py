"""The Python package's tests run against the installed wheel, from the repository's root."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root() -> Path:
    """The repository's root, where the models live."""
    return ROOT
