"""Write a snapshot document readable by its owner only (mode 0600)."""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

OWNER_ONLY = 0o600


def write_snapshot(
    document: Mapping[str, Any],
    path: str | os.PathLike[str],
    *,
    indent: int | None = None,
) -> None:
    """Write a snapshot as JSON, gzip-compressed when the path ends in `.gz`."""
    payload = json.dumps(document, indent=indent, separators=separators(indent))
    data = payload.encode("utf-8")
    if os.fspath(path).endswith(".gz"):
        data = gzip.compress(data, compresslevel=6)
    write_private(path, data)
    logger.info("wrote snapshot %s (%d bytes)", os.fspath(path), len(data))


def write_json_private(
    value: Any, path: str | os.PathLike[str], *, indent: int | None = 2
) -> None:
    """Write any JSON value (an organization file, say) with mode 0600."""
    text = json.dumps(value, indent=indent, separators=separators(indent))
    write_private(path, (text + "\n").encode("utf-8"))


def write_private(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to a file created 0600; an existing file is narrowed to 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "wb") as stream:
        os.fchmod(stream.fileno(), OWNER_ONLY)
        stream.write(data)


def separators(indent: int | None) -> tuple[str, str]:
    """Compact separators when not indenting, the default ones otherwise."""
    return (",", ":") if indent is None else (",", ": ")
