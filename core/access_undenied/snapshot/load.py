"""Read a snapshot file (`.json` or `.json.gz`), validate it whole, index it."""

from __future__ import annotations

import gzip
import json
import logging
import os
from typing import IO, Any

from access_undenied.errors import SnapshotError
from access_undenied.snapshot.model import Snapshot

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Load a snapshot file; a truncated, non-JSON or invalid file is refused whole.

    Gzip is recognised by its magic bytes, whatever the file is called.
    """
    document = read_document(path)
    snapshot = Snapshot.from_document(document)
    logger.info(
        "loaded snapshot %s: %d accounts", os.fspath(path), len(snapshot.account_ids)
    )
    return snapshot


def read_document(path: str | os.PathLike[str]) -> Any:
    """Decode the JSON of a snapshot file, raising `SnapshotError` on any failure."""
    try:
        with open_snapshot(path) as stream:
            return json.load(stream)
    except FileNotFoundError as exc:
        raise SnapshotError(f"snapshot {os.fspath(path)!r} does not exist") from exc
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
        raise SnapshotError(
            f"snapshot {os.fspath(path)!r} is truncated or not JSON: {exc}; "
            "build or collect it again"
        ) from exc


def open_snapshot(path: str | os.PathLike[str]) -> IO[str]:
    """Open a snapshot for reading as text, through gzip when it is compressed."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")
