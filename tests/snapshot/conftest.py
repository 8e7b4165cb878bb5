"""Fixtures of the snapshot tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from snapshot_sample import snapshot_document


@pytest.fixture
def document() -> dict[str, Any]:
    """A fresh copy of the small snapshot document."""
    return copy.deepcopy(snapshot_document())
