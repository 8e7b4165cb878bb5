"""Where the command's snapshot is, and loading it once per process."""

from __future__ import annotations

import configparser
import gzip
import os
import re

from access_undenied_splunk.enrich import Enricher

CONF_NAME = "access_undenied.conf"
SNAPSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
# Context keys the record's eventTime supplies (aws:MultiFactorAuthAge through it).
TIME_KEYS = ("aws:currenttime", "aws:epochtime", "aws:multifactorauthage")
GZIP_MAGIC = b"\x1f\x8b"

_ENRICHERS: dict[tuple[str, str], Enricher] = {}


class SnapshotUnavailable(Exception):
    """The snapshot cannot be found, read or used; the message is for the user."""


def read_default_snapshot(app_root: str) -> str:
    """Return `[snapshot] default` from the app's conf, local/ over default/."""
    parser = configparser.ConfigParser(interpolation=None)
    for layer in ("default", "local"):
        parser.read(os.path.join(app_root, layer, CONF_NAME), encoding="utf-8")

    return parser.get("snapshot", "default", fallback="").strip()


def resolve_snapshot(value: str, lookups: str) -> str:
    """Map a snapshot option to a file: a bare name in `lookups` or an absolute path.

    A name never leaves `lookups`: separators, "..", and leading dots are refused.
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

    return os.path.join(lookups, value)


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
        reads_time = snapshot_reads_time(path)
    except FileNotFoundError as exc:
        raise SnapshotUnavailable(f"snapshot {path!r} does not exist") from exc
    except (AccessUndeniedError, OSError, ValueError) as exc:
        raise SnapshotUnavailable(f"{exc}") from exc
    except Exception as exc:  # a snapshot the model cannot take is just as unusable
        raise SnapshotUnavailable(f"snapshot {path!r} cannot be used: {exc}") from exc

    from access_undenied.analyze import Analyzer

    enricher = Enricher(Analyzer(snapshot), prefix, reads_time)
    _ENRICHERS[key] = enricher
    return enricher
