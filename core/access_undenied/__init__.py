"""Access Undenied: why AWS denied a request, and the least-privilege fix."""

from __future__ import annotations

__version__ = "0.2.0"
