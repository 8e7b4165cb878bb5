"""Fuzz the CloudTrail reader: any bytes give records or ReadErrors, never a crash.

Run: `python fuzz/reader.py -timeout=2 -max_len=65536` (see fuzz/README.md).
"""

from __future__ import annotations

import io

import atheris
from _target import run

with atheris.instrument_imports():
    from access_undenied.cloudtrail.models import ReadError, RecordItem
    from access_undenied.cloudtrail.reader import iter_records


def test_one_input(data: bytes) -> None:
    """Read one in-memory file; every item is a record or a ReadError."""
    for item in iter_records(io.BytesIO(data)):
        if not isinstance(item, (RecordItem, ReadError)):
            raise AssertionError(f"unexpected item {type(item).__name__}")


if __name__ == "__main__":
    run(test_one_input)
