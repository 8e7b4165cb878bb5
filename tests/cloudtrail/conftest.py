"""Fixtures for the CloudTrail reader tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from cloudtrail_records import REAL_SAMPLES


@pytest.fixture
def real_samples() -> Path:
    """The folder of real CloudTrail denials beside the project; skips if absent."""
    if not REAL_SAMPLES.is_dir():
        pytest.skip(f"real samples not found at {REAL_SAMPLES}")
    return REAL_SAMPLES
