"""The accessundenied search command: explains AWS denials in CloudTrail events.

splunkd starts this script with no arguments and speaks the chunked protocol (SCP v2)
over its stdin and stdout. The command is streaming and distributable, so it runs on
the indexers; the IAM snapshot reaches them through the app's lookups/ folder.
"""

from __future__ import annotations

import configparser
import gzip
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

APP_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOKUPS = os.path.join(APP_ROOT, "lookups")

# Only the app's own vendored packages: the core, its dependencies and splunklib.
sys.path.insert(0, os.path.join(APP_ROOT, "lib"))

from splunklib.searchcommands import (  # noqa: E402
    Configuration,
    Option,
    StreamingCommand,
    dispatch,
    validators,
)

CONF_NAME = "access_undenied.conf"
SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
MULTIVALUE_FIELDS = frozenset({"denied_by", "unsupported"})
# Request keys (masked records, ~2 KB each) kept; past this the cache restarts.
CACHE_LIMIT = 20_000

# Members that differ on every event but never reach the request context, by the
# path to them in the record. Masked, they leave the text of the request alone.
EVENT_MEMBERS: dict[str, tuple[str, ...]] = {
    "eventID": ("eventID",),
    "requestID": ("requestID",),
    "sharedEventID": ("sharedEventID",),
    "x-amz-id-2": ("additionalEventData", "x-amz-id-2"),
}
# eventTime becomes aws:CurrentTime, aws:EpochTime and aws:MultiFactorAuthAge; it is
# masked only when no policy of the snapshot can read one of them.
TIME_MEMBER = {"eventTime": ("eventTime",)}
TIME_KEYS = ("aws:currenttime", "aws:epochtime", "aws:multifactorauthage")
GZIP_MAGIC = b"\x1f\x8b"

_ENRICHERS: dict[tuple[str, str], Enricher] = {}


class SnapshotUnavailable(Exception):
    """The snapshot cannot be found, read or used; the message is for the user."""


def read_default_snapshot() -> str:
    """Return `[snapshot] default` from the app's conf, local/ over default/."""
    parser = configparser.ConfigParser(interpolation=None)
    for layer in ("default", "local"):
        parser.read(os.path.join(APP_ROOT, layer, CONF_NAME), encoding="utf-8")

    return parser.get("snapshot", "default", fallback="").strip()


def resolve_snapshot(value: str) -> str:
    """Map a snapshot option to a file: a bare name in lookups/ or an absolute path.

    A name never leaves lookups/: separators, "..", and leading dots are refused.
    """
    if not value:
        raise SnapshotUnavailable(
            "no snapshot given: pass snapshot=<name in lookups/> or set [snapshot] "
            f"default in {CONF_NAME}"
        )

    if os.path.isabs(value):
        return os.path.normpath(value)

    if SNAPSHOT_NAME.match(value) is None or ".." in value:
        raise SnapshotUnavailable(
            f"snapshot {value!r} is neither a file name in the app's lookups folder "
            "(letters, digits, '.', '_', '-') nor an absolute path"
        )

    return os.path.join(LOOKUPS, value)


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


def member(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path` in a parsed record, or None."""
    value: Any = record
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


class RequestKey:
    """Masks the per-event members of a record's text, leaving the request's text.

    Members are found as written, `"name": "plain string"`, in one pass; a name met
    twice gives no key. The mask characters cannot occur in JSON text, and a masked
    value holds no quote, backslash or control character, so two records with the
    same key differ in those string values only. `verify` checks, on the parsed
    record, that what was masked are the members themselves (CloudTrail writes
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

    def mask(self, text: str) -> tuple[str | None, dict[str, str]]:
        """The key of a record's text (None if unsure) and the masked values."""
        found: dict[str, str] = {}
        masks = self._masks

        def replace(match: re.Match[str]) -> str:
            found[match.group(1)] = match.group(2)
            return masks[match.group(1)]

        key, count = self._pattern.subn(replace, text)
        return (key if count == len(found) else None), found

    def verify(self, text: str, found: Mapping[str, str]) -> bool:
        """Say whether the text is a JSON record whose members are what was masked."""
        try:
            record = json.loads(text)
        except ValueError:
            return False

        return all(member(record, self._paths[n]) == v for n, v in found.items())


def snapshot_reads_time(path: str) -> bool:
    """Say whether the snapshot's text names a time-derived context key anywhere.

    Plain and URL-encoded spellings count; any mention, even outside a condition,
    keeps eventTime in the cache key (slower, never wrong).
    """
    with open(path, "rb") as stream:
        data = stream.read()
    if data[:2] == GZIP_MAGIC:
        data = gzip.decompress(data)

    text = data.lower()
    spellings = [key.encode() for key in TIME_KEYS]
    spellings += [key.replace(b":", b"%3a") for key in spellings]
    return any(spelling in text for spelling in spellings)


class Enricher:
    """Turns the text of a CloudTrail record into the command's output fields.

    Fields are cached by request (`RequestKey`): a record that repeats an earlier
    request with other ids and, where the snapshot allows, another time reuses its
    fields; only the event id is then its own.
    """

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
        self._cache: dict[str, dict[str, Any]] = {}

    def fields(self, text: Any) -> tuple[Mapping[str, Any], str | None]:
        """The prefixed fields of a record's text, and its event id."""
        if isinstance(text, list):
            # A multivalue field: the record is its first value.
            text = text[0] if text else ""
        if not isinstance(text, str) or not text:
            missing = self._error_body("the field holds no CloudTrail record")
            return self._convert(missing), None

        key, found = self._keys.mask(text)
        cached = self._cache.get(key) if key is not None else None
        if cached is not None:
            return cached, found.get("eventID")

        fields = self._convert(self._explain_text(self._analyzer, text))
        if key is not None and self._keys.verify(text, found):
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = fields
        return fields, fields[self.event_id_field]

    def _convert(self, result: Mapping[str, Any]) -> dict[str, Any]:
        flat = self._flatten(result)
        return {out: to_splunk(name, flat.get(name)) for name, out in self._names}


def load_enricher(path: str, prefix: str) -> Enricher:
    """Load the snapshot at `path` once per process and wrap it for `prefix`."""
    key = (path, prefix)
    enricher = _ENRICHERS.get(key)
    if enricher is not None:
        return enricher

    from access_undenied.errors import AccessUndeniedError
    from access_undenied.snapshot import load_snapshot

    try:
        snapshot = load_snapshot(path)
    except FileNotFoundError as exc:
        raise SnapshotUnavailable(f"snapshot {path!r} does not exist") from exc
    except (AccessUndeniedError, OSError, ValueError) as exc:
        raise SnapshotUnavailable(f"{exc}") from exc
    except Exception as exc:  # a snapshot the model cannot take is just as unusable
        raise SnapshotUnavailable(f"snapshot {path!r} cannot be used: {exc}") from exc

    from access_undenied.analyze import Analyzer

    enricher = Enricher(Analyzer(snapshot), prefix, snapshot_reads_time(path))
    _ENRICHERS[key] = enricher
    return enricher


@Configuration(distributed=True)
class AccessUndeniedCommand(StreamingCommand):  # type: ignore[misc]
    """Adds to each event the explanation of the AWS denial it records.

    ##Syntax

    accessundenied [field=<field>] [snapshot=<name or path>] [prefix=<prefix>]

    ##Description

    Reads the CloudTrail record in `field`, evaluates the request against the IAM
    snapshot and adds `<prefix>reason_code`, `<prefix>explanation`, ... to the event.
    """

    field = Option(
        doc="Field holding the CloudTrail record as JSON. Default: _raw.",
        default="_raw",
        validate=validators.Fieldname(),
    )
    snapshot = Option(
        doc="Snapshot file name in the app's lookups folder, or an absolute path.",
        default=None,
    )
    prefix = Option(
        doc="Prefix of the output fields. Default: au_.",
        default="au_",
        validate=validators.Match("a field prefix", r"[A-Za-z][A-Za-z0-9_]*\Z"),
    )

    def prepare(self) -> None:
        """Resolve the snapshot location before any event arrives."""
        if self.fieldnames:
            self.error_exit(
                ValueError(self.fieldnames),
                "accessundenied takes only field=, snapshot= and prefix=, not "
                + " ".join(self.fieldnames),
            )

        try:
            self._snapshot_path = resolve_snapshot(
                self.snapshot or read_default_snapshot()
            )
        except SnapshotUnavailable as exc:
            self.error_exit(exc, f"accessundenied: {exc}")

    def stream(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Add the explanation fields to every record of the chunk."""
        enricher = self._enricher()
        fields = enricher.fields
        event_id_field = enricher.event_id_field
        name = self.field
        for record in records:
            output, event_id = fields(record.get(name))
            record.update(output)
            record[event_id_field] = event_id
            yield record

    def _enricher(self) -> Enricher:
        try:
            return load_enricher(self._snapshot_path, self.prefix)
        except SnapshotUnavailable as exc:
            self.error_exit(exc, f"accessundenied: {exc}")
            raise  # error_exit has exited; this keeps the type checker informed


if __name__ == "__main__":
    dispatch(AccessUndeniedCommand, sys.argv, sys.stdin, sys.stdout, __name__)
