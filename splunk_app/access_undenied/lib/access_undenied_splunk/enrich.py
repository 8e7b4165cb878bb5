"""From a CloudTrail record's text to the command's output fields, cached by request.

Most denials repeat: one caller retries one call, and each retry is a new event with
a new eventID, requestID and time. Masking those members leaves the text of the
request; a record whose masked text was seen reuses that result, and only its event
id is its own. Two caches serve it: `RequestKey` masks with one regular expression
pass, and `LayoutCache` recognises a known request by comparing the text around
the members' places, which is cheaper still.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

MULTIVALUE_FIELDS = frozenset({"denied_by", "unsupported"})
# Requests (masked texts, ~2 KB each) kept in each cache; past this it restarts.
CACHE_LIMIT = 20_000
# Known requests of one text length that are tried before the regular expression.
LAYOUTS_PER_LENGTH = 8

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

Fields = dict[str, Any]
Span = tuple[int, int]


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


def is_plain(value: str) -> bool:
    """Say whether a string's JSON text is itself: no quote, backslash or control."""
    return '"' not in value and "\\" not in value and value.isprintable()


class Masked(NamedTuple):
    """A record's text with its event members masked, and where they were."""

    key: str | None
    values: dict[str, str]
    spans: dict[str, Span]


class RequestKey:
    """Masks the event members of a record's text in one pass.

    Members are found as written, `"name": "plain string"`; a name met twice gives
    no key. The masks hold characters that cannot occur in JSON text, and a masked
    value holds no quote, backslash or control character, so two records with the
    same key differ in those string values only. `verify` checks on the parsed
    record that what was masked are the members themselves (CloudTrail writes
    member names without escapes).
    """

    def __init__(self, members: Mapping[str, tuple[str, ...]]) -> None:
        """Prepare the pattern and masks for `members` (name -> path)."""
        names = "|".join(re.escape(name) for name in members)
        self._pattern = re.compile(rf'"({names})"\s*:\s*"([^"\\\x00-\x1f]*)"')
        self._paths = dict(members)
        self._masks = {
            name: f'"{name}":"{chr(number)}"'
            for number, name in enumerate(members, start=1)
        }

    def mask(self, text: str) -> Masked:
        """The key of a record's text (None if unsure), the values and their spans."""
        values: dict[str, str] = {}
        spans: dict[str, Span] = {}
        masks = self._masks

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            values[name] = match.group(2)
            spans[name] = match.span(2)
            return masks[name]

        key, count = self._pattern.subn(replace, text)
        return Masked(key if count == len(values) else None, values, spans)

    def verify(self, record: Any, values: Mapping[str, str]) -> bool:
        """Say whether each masked value is the parsed record's own member."""
        return all(member(record, self._paths[n]) == v for n, v in values.items())


class Layout(NamedTuple):
    """A known request: its text around the member values, and its fields."""

    segments: tuple[tuple[int, str], ...]
    spans: tuple[Span, ...]
    event_id: Span | None
    fields: Fields


class LayoutCache:
    """Known requests by text length, matched by the text around their members.

    A text of the same length whose every segment outside the members' spans is the
    known text, and whose span contents are plain strings, is the same request with
    other member values: the masked key would be the same, without the pass.
    """

    def __init__(self) -> None:
        """Start empty."""
        self._by_length: dict[int, list[Layout]] = {}
        self._count = 0

    def find(self, text: str) -> tuple[Fields, str | None] | None:
        """The fields and event id of a known request the text repeats, or None."""
        for layout in self._by_length.get(len(text), ()):
            if self._matches(text, layout):
                span = layout.event_id
                return layout.fields, (text[span[0] : span[1]] if span else None)
        return None

    @staticmethod
    def _matches(text: str, layout: Layout) -> bool:
        for start, segment in layout.segments:
            if not text.startswith(segment, start):
                return False

        return all(is_plain(text[start:end]) for start, end in layout.spans)

    def add(self, text: str, spans: Mapping[str, Span], fields: Fields) -> None:
        """Remember the request of `text`, whose members are at `spans`."""
        if self._count >= CACHE_LIMIT:
            self._by_length.clear()
            self._count = 0

        ordered = sorted(spans.values())
        segments = []
        start = 0
        for begin, end in ordered:
            segments.append((start, text[start:begin]))
            start = end
        segments.append((start, text[start:]))

        layout = Layout(tuple(segments), tuple(ordered), spans.get("eventID"), fields)
        layouts = self._by_length.setdefault(len(text), [])
        layouts.insert(0, layout)
        self._count += 1
        if len(layouts) > LAYOUTS_PER_LENGTH:
            layouts.pop()
            self._count -= 1


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
        self._layouts = LayoutCache()

    def fields(self, text: Any) -> tuple[Fields, str | None]:
        """The prefixed fields of a record's text, and its event id."""
        if isinstance(text, list):
            # A multivalue field: the record is its first value.
            text = text[0] if text else ""
        if not isinstance(text, str) or not text:
            missing = self._error_body("the field holds no CloudTrail record")
            return self._convert(missing), None

        known = self._layouts.find(text)
        if known is not None:
            return known

        masked = self._keys.mask(text)
        fields = self._cache.get(masked.key) if masked.key is not None else None
        if fields is None:
            fields = self._explain(text, masked)
            return fields, fields[self.event_id_field]

        self._layouts.add(text, masked.spans, fields)
        return fields, masked.values.get("eventID")

    def _explain(self, text: str, masked: Masked) -> Fields:
        fields = self._convert(self._explain_text(self._analyzer, text))
        if masked.key is None or not self._verified(text, masked):
            return fields

        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[masked.key] = fields
        self._layouts.add(text, masked.spans, fields)
        return fields

    def _verified(self, text: str, masked: Masked) -> bool:
        import json

        try:
            record = json.loads(text)
        except ValueError:
            return False
        return self._keys.verify(record, masked.values)

    def _convert(self, result: Mapping[str, Any]) -> Fields:
        flat = self._flatten(result)
        return {out: to_splunk(name, flat.get(name)) for name, out in self._names}
