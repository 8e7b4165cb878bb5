"""Snapshots that fail their schema or are cut short: refused whole, clearly."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from access_undenied.errors import SnapshotError
from access_undenied.snapshot import Snapshot, load_snapshot
from access_undenied.snapshot.from_files import build_from_files
from access_undenied.snapshot.write import write_snapshot
from hypothesis import given
from hypothesis import strategies as st
from robust_strategies import WRONG_TYPES
from robust_support import (
    BASE_DENIAL,
    EXAMPLES,
    bounded,
    field_paths,
    replaced,
    robust_settings,
)

DOCUMENT = build_from_files(
    sorted((EXAMPLES / "account-details").glob("*.json")),
    EXAMPLES / "organization.json",
    EXAMPLES / "resource-policies.json",
)
TEXT = json.dumps(DOCUMENT).encode()
PATHS = field_paths(DOCUMENT)


def load_bytes(tmp_path: Path, data: bytes, name: str = "s.json") -> Any:
    """Load a snapshot file holding `data`; the Snapshot or its SnapshotError."""
    path = tmp_path / name
    path.write_bytes(data)
    try:
        snapshot, _ = bounded(lambda: load_snapshot(path))
    except SnapshotError as exc:
        assert str(exc)
        return exc
    assert isinstance(snapshot, Snapshot)
    return snapshot


def test_the_example_snapshot_loads(tmp_path: Path) -> None:
    """Sanity: the snapshot the tamper tests start from is accepted."""
    assert isinstance(load_bytes(tmp_path, TEXT), Snapshot)


@robust_settings(max_examples=25)
@given(st.integers(min_value=0, max_value=len(TEXT) - 1), st.booleans())
def test_cut_short_is_refused(
    tmp_path_factory: pytest.TempPathFactory, cut: int, compressed: bool
) -> None:
    data = TEXT[:cut]
    if compressed:
        data = gzip.compress(TEXT)
        data = data[: cut * len(data) // len(TEXT)]
    tmp_path = tmp_path_factory.mktemp("cut")

    refused = load_bytes(tmp_path, data, "s.json.gz" if compressed else "s.json")

    assert isinstance(refused, SnapshotError)
    assert "truncated" in str(refused) or "not JSON" in str(refused)


REQUIRED = ["format_version", "created_at", "accounts"]


@pytest.mark.parametrize("member", REQUIRED)
def test_missing_member_is_refused_naming_it(tmp_path: Path, member: str) -> None:
    document = {k: v for k, v in DOCUMENT.items() if k != member}

    refused = load_bytes(tmp_path, json.dumps(document).encode())

    assert isinstance(refused, SnapshotError)
    assert member in str(refused)


SCHEMA_BREAKS = {
    "not-an-object": [],
    "format-version-text": {**DOCUMENT, "format_version": "1"},
    "format-version-future": {**DOCUMENT, "format_version": 999},
    "accounts-list": {**DOCUMENT, "accounts": []},
    "account-id-not-digits": {**DOCUMENT, "accounts": {"../../etc": {}}},
    "created-at-garbage": {**DOCUMENT, "created_at": "yesterday"},
    "unknown-member": {**DOCUMENT, "extra": 1},
    "a-cloudtrail-record": BASE_DENIAL,
}


@pytest.mark.parametrize("document", SCHEMA_BREAKS.values(), ids=SCHEMA_BREAKS)
def test_schema_breaks_are_refused(tmp_path: Path, document: Any) -> None:
    refused = load_bytes(tmp_path, json.dumps(document).encode())

    assert isinstance(refused, SnapshotError)
    assert refused.__class__ is SnapshotError


@robust_settings(max_examples=60)
@given(st.sampled_from(PATHS), WRONG_TYPES)
def test_wrong_type_anywhere_is_refused_or_loaded_whole(
    path: tuple[Any, ...], value: Any
) -> None:
    """Each change either fails the schema or gives a snapshot that answers."""
    document = replaced(DOCUMENT, path, value)
    try:
        snapshot, _ = bounded(lambda: Snapshot.from_document(document))
    except SnapshotError as exc:
        assert str(exc).startswith("snapshot ")
        return
    for account_id in snapshot.account_ids:
        list(snapshot.principals(account_id))
    snapshot.organization  # noqa: B018 - the property indexes the organization


def test_refused_snapshot_stops_analyze_with_a_message(tmp_path: Path) -> None:
    snapshot = tmp_path / "cut.json.gz"
    snapshot.write_bytes(gzip.compress(TEXT)[:500])
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [BASE_DENIAL]}))
    output = tmp_path / "results.json"

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "access_undenied",
            "analyze",
            "--events-file",
            str(events),
            "--snapshot",
            str(snapshot),
            "--output-file",
            str(output),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "truncated" in done.stderr
    assert "Traceback" not in done.stderr
    assert not output.exists(), "no result may come from a refused snapshot"
    assert done.stdout == ""


def test_written_snapshot_is_owner_only_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.json.gz"
    path.write_bytes(b"")
    path.chmod(0o644)

    write_snapshot(DOCUMENT, path)

    assert path.stat().st_mode & 0o777 == 0o600
    assert isinstance(load_snapshot(path), Snapshot)


def test_deeply_nested_snapshot_is_refused(tmp_path: Path) -> None:
    """RecursionError once escaped here (fixed in d3ba9b7)."""
    assert isinstance(load_bytes(tmp_path, b"[" * 100_000), SnapshotError)


def test_damaged_gzip_snapshot_is_refused(tmp_path: Path) -> None:
    """zlib.error once escaped here (fixed in 6eb715f)."""
    data = gzip.compress(TEXT)
    damaged = data[:10] + b"\x00" * 20 + data[30:]

    assert isinstance(load_bytes(tmp_path, damaged), SnapshotError)
