"""Access Undenied: why AWS denied a request, and the least-privilege fix."""

from __future__ import annotations

from typing import Any

__version__ = "0.2.0"


def simulate(request: dict[str, Any]) -> dict[str, Any]:
    """Evaluate one `simulate` request dict and return the result dict (issue 3)."""
    from access_undenied.engine.simulate import simulate as simulate_request

    return simulate_request(request)
