"""Flat rows of repeated results, encoded once.

The analyzer hands out each result as one JSON line: the record's own fields
(`EventId`, `EventTime`) first, then the body it caches per request (with the
caller's ARN), then the snapshot's time and age. Only the middle decides the flat
fields besides `event_id`, so its digest keys the flat encoding of a repeated
result. A line that does not have that layout is parsed whole: the cache can only
miss, never answer wrongly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from access_undenied.analyze.fields import flatten_result

from access_undenied_duckdb.fields import encode_body_fragment, join_row

# The first key of the snapshot fields, which close every result line.
TAIL_MARK = ', "SnapshotTime": '

CACHE_LIMIT = 50_000


def line_head(record: Mapping[str, Any]) -> str:
    """The opening of a result line for a record read from SQL (no `Source`)."""
    fields = {
        "EventId": text_or_none(record.get("eventID")),
        "EventTime": text_or_none(record.get("eventTime")),
    }
    return json.dumps(fields)[:-1] + ", "


def text_or_none(value: object) -> str | None:
    """A record's string field, or None (as the analyzer reads it)."""
    return value if isinstance(value, str) else None


class FlatEncoder:
    """Encodes results as flat rows, reusing the encoding of a repeated body."""

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self._fragments: dict[bytes, str] = {}
        self._limit = limit

    def encode(self, record: Any, result: Mapping[str, Any], line: str) -> str:
        """The flat row of one record's result, as JSON text."""
        key = self._body_key(record, line)
        fragment = self._fragments.get(key) if key is not None else None
        if fragment is None:
            fragment = encode_body_fragment(flatten_result(result))
            self._remember(key, fragment)
        return join_row(result.get("EventId"), fragment)

    def _body_key(self, record: Any, line: str) -> bytes | None:
        if not isinstance(record, Mapping):
            return None
        head = line_head(record)
        tail = line.rfind(TAIL_MARK)
        if not line.startswith(head) or tail < len(head):
            return None
        middle = line[len(head) : tail].encode("utf-8")
        return hashlib.blake2b(middle, digest_size=16).digest()

    def _remember(self, key: bytes | None, fragment: str) -> None:
        if key is None:
            return
        if len(self._fragments) >= self._limit:
            self._fragments.clear()
        self._fragments[key] = fragment
