"""The accessundenied search command: explains AWS denials in CloudTrail events.

splunkd starts this script with no arguments and speaks the chunked protocol (SCP v2)
over its stdin and stdout. The command is streaming and distributable, so it runs on
the indexers; the IAM snapshot reaches them through the app's lookups/ folder.
"""

from __future__ import annotations

import configparser
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
# Distinct records whose fields are kept; past this the cache starts again.
CACHE_LIMIT = 50_000

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
    """Convert one flat field to what the SDK writes: text, or a list of text."""
    if name in MULTIVALUE_FIELDS:
        return [str(item) for item in value or ()]

    if value is None:
        return ""

    return value if isinstance(value, str) else str(value)


class Enricher:
    """Turns the text of a CloudTrail record into the command's output fields."""

    def __init__(self, analyzer: Any, prefix: str) -> None:
        """Wrap an `Analyzer` and the output field prefix."""
        from access_undenied.analyze import explain_text
        from access_undenied.analyze.fields import FLAT_FIELDS, flatten_result

        self._analyzer = analyzer
        self._explain_text = explain_text
        self._flatten = flatten_result
        self._names = tuple((name, prefix + name) for name in FLAT_FIELDS)
        self._cache: dict[str, dict[str, Any]] = {}

    def fields(self, text: Any) -> Mapping[str, Any]:
        """Return the prefixed fields for one record's text (cached by text)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached

        fields = self._build(text)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        if isinstance(text, str):
            self._cache[text] = fields
        return fields

    def _build(self, text: Any) -> dict[str, Any]:
        if isinstance(text, list):
            # A multivalue field: the record is its first value.
            text = text[0] if text else ""

        flat = self._flatten(self._explain_text(self._analyzer, text or ""))

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

    from access_undenied.analyze import Analyzer

    enricher = Enricher(Analyzer(snapshot), prefix)
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
        fields = self._enricher().fields
        name = self.field
        for record in records:
            record.update(fields(record.get(name)))
            yield record

    def _enricher(self) -> Enricher:
        try:
            return load_enricher(self._snapshot_path, self.prefix)
        except SnapshotUnavailable as exc:
            self.error_exit(exc, f"accessundenied: {exc}")
            raise  # error_exit has exited; this keeps the type checker informed


if __name__ == "__main__":
    dispatch(AccessUndeniedCommand, sys.argv, sys.stdin, sys.stdout, __name__)
