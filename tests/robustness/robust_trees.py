"""Generated CloudTrail trees: S3-style folders of gzip log files of denials.

Records are the bundled example denials with fresh event ids, so every record of a
tree has an id that says where it was written: `<file number>-<record number>`.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

FILLER_KEY = "additionalEventData"


def tree_records(
    templates: Sequence[dict[str, Any]], file_number: int, count: int, pad: int = 0
) -> Iterator[dict[str, Any]]:
    """`count` denials for one file, cycling through the templates."""
    for number in range(count):
        record = copy.deepcopy(templates[(file_number + number) % len(templates)])
        record["eventID"] = f"{file_number:06d}-{number:06d}"
        if pad:
            record[FILLER_KEY] = {"padding": "x" * pad}
        yield record


def file_path(root: Path, file_number: int) -> Path:
    """Where CloudTrail would put the file: account/region/date folders."""
    day = file_number // 96 % 28 + 1
    folder = root / "AWSLogs" / "123456789012" / "CloudTrail" / "eu-west-1"
    return folder / "2026" / "11" / f"{day:02d}" / f"123456789012_{file_number:06d}.gz"


def write_tree(
    root: Path,
    templates: Sequence[dict[str, Any]],
    files: int,
    records_per_file: int,
    pad: int = 0,
) -> list[str]:
    """Write the tree; returns the event ids in the order the reader reads them."""
    written: list[tuple[str, list[str]]] = []
    for number in range(files):
        records = list(tree_records(templates, number, records_per_file, pad))
        path = file_path(root, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"Records": records}).encode()
        path.write_bytes(gzip.compress(data, compresslevel=1))
        written.append((os.fspath(path), [r["eventID"] for r in records]))
    written.sort()
    return [event_id for _, ids in written for event_id in ids]


def tree_bytes(root: Path) -> tuple[int, int]:
    """The compressed size on disk and the number of files under `root`."""
    size = count = 0
    for directory, _, names in os.walk(root):
        for name in names:
            size += os.path.getsize(os.path.join(directory, name))
            count += 1
    return size, count
