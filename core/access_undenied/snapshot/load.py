"""Read a snapshot file (`.json` or `.json.gz`), validate it whole, index it."""

from __future__ import annotations

import gzip
import json
import logging
import os
import zlib
from typing import Any

from access_undenied.errors import SnapshotError
from access_undenied.snapshot.model import Snapshot, index_fields
from access_undenied.snapshot.scan import (
    ScannedAccount,
    ScannedDocument,
    Scanner,
    materialize,
)

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Load a snapshot file; a truncated, non-JSON or invalid file is refused whole.

    Gzip is recognised by its magic bytes, whatever the file is called. Users,
    groups, roles and managed policies stay as text until first used.
    """
    text = read_text(path)
    try:
        scanned = Scanner(text, index_fields).scan()
    except SnapshotError as exc:
        raise SnapshotError(f"{os.fspath(path)!r}: {exc}; build it again") from exc
    if not scanned.valid:
        return Snapshot.from_document(decode_text(text, path))

    snapshot = snapshot_of(scanned)
    logger.info(
        "loaded snapshot %s: %d accounts", os.fspath(path), len(snapshot.account_ids)
    )
    return snapshot


def snapshot_of(scanned: ScannedDocument) -> Snapshot:
    """A snapshot over scanned text: entries decoded from their spans on use."""
    snapshot = Snapshot(
        scanned.top, decode=scanned.decode, materialize=lambda: materialize(scanned)
    )
    for account_id, account in scanned.accounts.items():
        assert isinstance(account, ScannedAccount)
        snapshot.add_account(account_id)
        for list_name, entries in account.lists.items():
            for fields, span in entries:
                snapshot.add_entry(account_id, list_name, fields, span)
    return snapshot


def read_document(path: str | os.PathLike[str]) -> Any:
    """Decode the JSON of a snapshot file, raising `SnapshotError` on any failure."""
    return decode_text(read_text(path), path)


def decode_text(text: str, path: str | os.PathLike[str]) -> Any:
    """The JSON value of a snapshot's text."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SnapshotError(
            f"snapshot {os.fspath(path)!r} is truncated or not JSON: {exc}; "
            "build or collect it again"
        ) from exc


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a snapshot file, through gzip when it is compressed."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
        if data[:2] == GZIP_MAGIC:
            data = gzip.decompress(data)
        return data.decode("utf-8")
    except FileNotFoundError as exc:
        raise SnapshotError(f"snapshot {os.fspath(path)!r} does not exist") from exc
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise SnapshotError(
            f"snapshot {os.fspath(path)!r} is truncated or not JSON: {exc}; "
            "build or collect it again"
        ) from exc
