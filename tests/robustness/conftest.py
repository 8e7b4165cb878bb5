"""Hypothesis profiles for the robustness suite, and shared fixtures.

The profiles are registered here and applied per test with
`settings(parent=settings.get_profile(...))`, so that loading this directory never
changes the settings of other suites. `ROBUSTNESS_PROFILE=deep` runs many more
examples (minutes, not seconds).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from robust_support import EXAMPLES

# Time is measured per input by `robust_support.bounded`, with a hang alarm; the
# per-example deadline of hypothesis would only add flakiness on a busy machine.
_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    "derandomize": False,
    "print_blob": True,
}
settings.register_profile("robustness", max_examples=40, **_COMMON)
settings.register_profile("robustness-deep", max_examples=2000, **_COMMON)


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The bundled examples (account details, organization, events)."""
    return EXAMPLES
