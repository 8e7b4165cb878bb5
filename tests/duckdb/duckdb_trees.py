"""CloudTrail trees in the S3 export layout, and snapshots, made for the tests."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from access_undenied.cloudtrail import RecordItem, iter_records
from access_undenied.snapshot.from_files import build_from_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ACCOUNT = "123456789012"


def example_records() -> list[dict[str, Any]]:
    """Every record of the bundled example events, in reading order."""
    records: list[dict[str, Any]] = []
    for path in sorted((EXAMPLES / "events").iterdir()):
        for item in iter_records(path):
            if isinstance(item, RecordItem):
                records.append(dict(item.record))
    return records


def example_snapshot_document() -> dict[str, Any]:
    """The bundled example organization as a snapshot document."""
    return build_from_files(
        sorted((EXAMPLES / "account-details").glob("*.json")),
        EXAMPLES / "organization.json",
        EXAMPLES / "resource-policies.json",
    )


def not_a_denial(record: dict[str, Any], index: int) -> dict[str, Any]:
    """A successful call made from a copy of a record."""
    success = copy.deepcopy(record)
    success.pop("errorCode", None)
    success.pop("errorMessage", None)
    success["eventID"] = f"success-{index:06d}"
    return success


def day_folder(root: Path, account: str, region: str, day: str) -> Path:
    """`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD`, created."""
    folder = root / "AWSLogs" / account / "CloudTrail" / region / day
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_log_file(path: Path, records: Sequence[dict[str, Any]]) -> Path:
    """One CloudTrail log file, gzipped when the name ends in `.gz`."""
    data = json.dumps({"Records": list(records)}).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def write_digest(root: Path, account: str) -> Path:
    """A digest file where CloudTrail writes them, beside the logs."""
    folder = root / "AWSLogs" / account / "CloudTrail-Digest" / "eu-west-1" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    digest = {
        "awsAccountId": account,
        "digestStartTime": "2026-11-20T09:00:00Z",
        "logFiles": [{"s3Object": "x.json.gz", "hashValue": "00"}],
    }
    path = (
        folder / f"{account}_CloudTrail-Digest_eu-west-1_trail_20261120T0900Z.json.gz"
    )
    path.write_bytes(gzip.compress(json.dumps(digest).encode("utf-8")))
    return path


def write_tree(
    root: Path, records: Sequence[dict[str, Any]], extra: Sequence[dict[str, Any]]
) -> list[Path]:
    """Split records over a plain and a gzipped file, `extra` in a third; a digest."""
    folder = day_folder(root, ACCOUNT, "eu-west-1", "2026/11/20")
    half = len(records) // 2
    paths = [
        write_log_file(
            folder / f"{ACCOUNT}_CloudTrail_eu-west-1_a.json", records[:half]
        ),
        write_log_file(
            folder / f"{ACCOUNT}_CloudTrail_eu-west-1_b.json.gz", records[half:]
        ),
        write_log_file(folder / f"{ACCOUNT}_CloudTrail_eu-west-1_c.json.gz", extra),
    ]
    write_digest(root, ACCOUNT)
    return paths
