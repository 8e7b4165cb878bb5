"""Flat rows of repeated results, encoded once.

The analyzer caches a result's body (everything but the record's own fields) and
hands out the same body objects for a repeated request, so the flat fields of that
body can be encoded once and reused: only `event_id` differs per row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from access_undenied.analyze.fields import flatten_result

from access_undenied_duckdb.fields import encode_body_fragment, join_row

# The body members whose identity identifies a body: each body builds its own.
IDENTITY_FIELDS = ("Request", "ResultDetails", "ResponsiblePolicies", "DeniedBy")

CACHE_LIMIT = 100_000


class FlatEncoder:
    """Encodes results as flat rows, reusing the encoding of a repeated body."""

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self._fragments: dict[tuple[int, ...], tuple[tuple[Any, ...], str]] = {}
        self._limit = limit

    def encode(self, result: Mapping[str, Any]) -> str:
        """The flat row of one full result, as JSON text."""
        members = tuple(result.get(name) for name in IDENTITY_FIELDS)
        key = tuple(id(member) for member in members)
        cached = self._fragments.get(key)
        if cached is not None and all(
            old is new for old, new in zip(cached[0], members)
        ):
            return join_row(result.get("EventId"), cached[1])

        fragment = encode_body_fragment(flatten_result(result))
        if len(self._fragments) >= self._limit:
            self._fragments.clear()
        # The members are kept, so their ids cannot be reused while cached.
        self._fragments[key] = (members, fragment)
        return join_row(result.get("EventId"), fragment)
