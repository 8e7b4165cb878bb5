"""From a CloudTrail record's text to the command's output fields, cached by request.

Most denials repeat: one caller retries one call, and each retry is a new event with
a new eventID, requestID and time. Masking those members leaves the text of the
request (`RequestKey`); a record whose masked text was seen reuses that request's
fields, and only its event id is its own.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

MULTIVALUE_FIELDS = frozenset({"denied_by", "unsupported"})
# Requests (masked texts, ~2 KB each) kept; past this the cache starts again.
CACHE_LIMIT = 20_000

# Members that differ on every event but never reach the request context, by the
# path to them in the record.
EVENT_MEMBERS: dict[str, tuple[str, ...]] = {
    "eventID": ("eventID",),
    "requestID": ("requestID",),
    "sharedEventID": ("sharedEventID",),
    "x-amz-id-2": ("additionalEventData", "x-amz-id-2"),
}
# eventTime becomes aws:CurrentTime, aws:EpochTime and aws:MultiFactorAuthAge; it is
# masked only when no policy of the snapshot can read one of them.
TIME_MEMBER = {"eventTime": ("eventTime",)}
# A member as CloudTrail writes it: name, colon, and a string with nothing escaped.
PLAIN_MEMBER = r'"({names})"\s*:\s*"([^"\\\x00-\x1f]*)"'
MASK = '"\\1":"\x00"'
EVENT_ID = re.compile(PLAIN_MEMBER.format(names="eventID"))

Fields = dict[str, Any]


def to_splunk(name: str, value: Any) -> Any:
    """Convert one flat field to what the SDK writes: text, a list of text, or None.

    None writes the same empty cell as "" or [], and is the SDK's quickest case; a
    list of one value is written as that value.
    """
    if name in MULTIVALUE_FIELDS:
        items = [str(item) for item in value or ()]
        return items if len(items) > 1 else (items[0] if items else None)

    if value is None or value == "":
        return None

    return value if isinstance(value, str) else str(value)


def member(record: Any, path: tuple[str, ...]) -> Any:
    """The value at `path` in a parsed record, or None."""
    value = record
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


class RequestKey:
    """Masks the event members of a record's text, in one regular expression pass.

    A member is masked where it is written `"name": "plain string"`; the mask holds
    a character that cannot occur in JSON text. `learnable` says whether a key may
    enter the cache: each member at most once and, on the parsed record, the
    member itself (CloudTrail writes member names without escapes). Two records
    with the key of such a record have its structure and differ from it in those
    plain string values only, so they are the same request.
    """

    def __init__(self, members: Mapping[str, tuple[str, ...]]) -> None:
        """Prepare the pattern for `members` (name -> path in the record)."""
        names = "|".join(re.escape(name) for name in members)
        self._pattern = re.compile(PLAIN_MEMBER.format(names=names))
        self._paths = dict(members)

    def mask(self, text: str) -> str:
        """The record's text with its event members' values masked."""
        return self._pattern.sub(MASK, text)

    def learnable(self, text: str, record: Any) -> bool:
        """Say whether the key of `text` (parsed: `record`) may enter the cache."""
        found = [match.groups() for match in self._pattern.finditer(text)]
        if len({name for name, _ in found}) != len(found):
            return False

        return all(member(record, self._paths[name]) == v for name, v in found)


def event_id_of(text: str) -> str | None:
    """The eventID of a record text whose key is known (its member is plain)."""
    match = EVENT_ID.search(text)
    return match.group(2) if match else None


class Enricher:
    """Turns the text of a CloudTrail record into the command's output fields."""

    def __init__(self, analyzer: Any, prefix: str, reads_time: bool) -> None:
        """Wrap an `Analyzer`, the output field prefix and the snapshot's time use."""
        from access_undenied.analyze import FLAT_FIELDS, explain_text, flatten_result
        from access_undenied.analyze.analyzer import error_body

        self._analyzer = analyzer
        self._explain_text = explain_text
        self._error_body = error_body
        self._flatten = flatten_result
        self._names = tuple((name, prefix + name) for name in FLAT_FIELDS)
        self.event_id_field = prefix + "event_id"
        members = EVENT_MEMBERS if reads_time else {**EVENT_MEMBERS, **TIME_MEMBER}
        self._keys = RequestKey(members)
        self._cache: dict[str, Fields] = {}

    def fields(self, text: Any) -> tuple[Fields, str | None]:
        """The prefixed fields of a record's text, and its event id."""
        if type(text) is not str or not text or "\x00" in text:
            return self._fields_of_other(text)

        key = self._keys.mask(text)
        fields = self._cache.get(key)
        if fields is not None:
            return fields, event_id_of(text)

        fields = self._explain(text, key)
        return fields, fields[self.event_id_field]

    def guarded_fields(self, text: Any) -> tuple[Fields, str | None]:
        """`fields`, where any unexpected failure is an error on this record alone.

        One pathological event must not stop the search; the log names the
        exception type only, never the record's text.
        """
        try:
            return self.fields(text)
        except Exception as exc:  # any failure: this record's guard
            kind = type(exc).__name__
            logger.warning("a record could not be analyzed: %s", kind)
            failed = self._error_body(f"the record could not be analyzed ({kind})")
            event_id = event_id_of(text) if type(text) is str else None
            return self._convert(failed), event_id

    def _fields_of_other(self, value: Any) -> tuple[Fields, str | None]:
        if isinstance(value, list) and value:
            # A multivalue field: the record is its first value.
            value = value[0]
        if not isinstance(value, str) or not value:
            missing = self._error_body("the field holds no CloudTrail record")
            return self._convert(missing), None

        # Text a key cannot stand for (it holds the mask character): never cached.
        fields = self._convert(self._explain_text(self._analyzer, value))
        return fields, fields[self.event_id_field]

    def _explain(self, text: str, key: str) -> Fields:
        fields = self._convert(self._explain_text(self._analyzer, text))
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            return fields

        if self._keys.learnable(text, record):
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = fields
        return fields

    def _convert(self, result: Mapping[str, Any]) -> Fields:
        flat = self._flatten(result)
        return {out: to_splunk(name, flat.get(name)) for name, out in self._names}
