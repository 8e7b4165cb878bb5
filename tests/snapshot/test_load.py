"""Snapshot files: written 0600, gzip or not, refused whole when broken."""

from __future__ import annotations

import gzip
import json
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from access_undenied.errors import SnapshotError
from access_undenied.snapshot import Snapshot, load_snapshot
from access_undenied.snapshot.write import write_snapshot
from snapshot_sample import A


@pytest.mark.parametrize("name", ["s.json", "s.json.gz"], ids=["plain", "gzip"])
def test_write_then_load(tmp_path: Path, document: dict[str, Any], name: str) -> None:
    path = tmp_path / name
    write_snapshot(document, path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"\x1f\x8b") is name.endswith(".gz")
    snapshot = load_snapshot(path)
    assert snapshot.document == document
    assert snapshot.principal(f"arn:aws:iam::{A}:user/alice") is not None


def test_existing_file_is_narrowed_to_owner_only(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    path = tmp_path / "s.json"
    path.write_text("{}")
    path.chmod(0o644)
    write_snapshot(document, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_truncated_file_is_refused(
    tmp_path: Path, document: dict[str, Any], compress: bool
) -> None:
    data = json.dumps(document).encode()
    if compress:
        data = gzip.compress(data)
    path = tmp_path / "s.json"
    path.write_bytes(data[: len(data) - 40])
    with pytest.raises(SnapshotError, match="truncated or not JSON"):
        load_snapshot(path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="does not exist"):
        load_snapshot(tmp_path / "nope.json")


def role(document: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = document["accounts"][A]["RoleDetailList"][0]
    return entry


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("created_at"), r"\(document\)"),
        (lambda d: d.update(format_version=2), "format_version"),
        (lambda d: role(d).pop("Arn"), r"accounts\.111111111111\.RoleDetailList\[0\]"),
        (
            lambda d: role(d).update(AssumeRolePolicyDocument="{}"),
            r"RoleDetailList\[0\]\.AssumeRolePolicyDocument",
        ),
        (lambda d: d["accounts"].update(abc=d["accounts"][A]), r"accounts"),
        (
            lambda d: d["resource_policies"]["arn:aws:s3:::shared-bucket"].update(
                account="22"
            ),
            r"resource_policies\.arn:aws:s3:::shared-bucket\.account",
        ),
        (
            lambda d: d["organization"]["nodes"]["r-root"]["policies"][0].update(
                Type="TAG_POLICY"
            ),
            r"organization\.nodes\.r-root\.policies\[0\]\.Type",
        ),
        (
            lambda d: d["collection_errors"].append({"account_id": A}),
            "collection_errors",
        ),
    ],
    ids=[
        "no-created-at",
        "future-version",
        "role-without-arn",
        "document-as-string",
        "bad-account-id",
        "short-owner-account",
        "tag-policy",
        "incomplete-error",
    ],
)
def test_invalid_document_is_refused_naming_the_field(
    tmp_path: Path, document: dict[str, Any], mutate: Any, field: str
) -> None:
    mutate(document)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotError, match=field):
        load_snapshot(path)


@pytest.mark.parametrize(
    ("indent", "ensure_ascii"),
    [(None, True), (2, True), (None, False), ("\t", False)],
    ids=["compact", "indented", "utf-8", "tabs"],
)
def test_loaded_lazily_equals_built_from_document(
    tmp_path: Path, document: dict[str, Any], indent: Any, ensure_ascii: bool
) -> None:
    role(document)["Tags"].append({"Key": "café", "Value": "naïve ☕"})
    path = tmp_path / "s.json"
    text = json.dumps(document, indent=indent, ensure_ascii=ensure_ascii)
    path.write_text(text, encoding="utf-8")

    loaded = load_snapshot(path)
    built = Snapshot.from_document(document)

    assert loaded.account_ids == built.account_ids
    assert loaded.accounts == built.accounts
    arns = [p.arn for p in built.principals()]
    assert [p.arn for p in loaded.principals()] == arns
    for arn in arns:
        assert loaded.principal(arn) == built.principal(arn)
    app = loaded.principal(f"arn:aws:iam::{A}:role/service/app")
    assert app is not None and app.tags == {"café": "naïve ☕"}
    assert loaded.document == document


def test_shared_managed_policy_is_one_document(
    tmp_path: Path, document: dict[str, Any]
) -> None:
    path = tmp_path / "s.json"
    write_snapshot(document, path)
    snapshot = load_snapshot(path)
    user = snapshot.principal(f"arn:aws:iam::{A}:user/alice")
    role_record = snapshot.principal(f"arn:aws:iam::{A}:role/service/app")
    assert user is not None and role_record is not None

    shared = f"arn:aws:iam::{A}:policy/shared"
    from_user = next(p for p in user.identity_policies if p.policy_id == shared)
    from_role = next(p for p in role_record.identity_policies if p.policy_id == shared)
    assert from_user.document is from_role.document


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text + " {}",
        lambda text: text.replace('"RoleDetailList": [', '"RoleDetailList": [,', 1),
        lambda text: text.replace('"accounts": {', '"accounts": {"x" 1,', 1),
        lambda text: text[:-1],
    ],
    ids=["trailing-data", "leading-comma", "missing-colon", "no-closing-brace"],
)
def test_damaged_text_is_refused(
    tmp_path: Path, document: dict[str, Any], damage: Any
) -> None:
    path = tmp_path / "s.json"
    path.write_text(damage(json.dumps(document)), encoding="utf-8")
    with pytest.raises(SnapshotError, match="truncated or not JSON"):
        load_snapshot(path)


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("2026-12-01T10:00:00Z", datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
        ("2026-12-01T10:00:00.745Z", datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
        ("2026-12-01T12:00:00+02:00", datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
        ("2026-12-01T05:30:00-0430", datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
        ("2026-12-01T10:00:00", datetime(2026, 12, 1, 10, tzinfo=timezone.utc)),
        ("2026-13-45T10:00:00Z", None),
        ("2026-12-01T25:00:00Z", None),
    ],
    ids=[
        "zulu",
        "milliseconds",
        "offset",
        "offset-no-colon",
        "naive",
        "month-13",
        "hour-25",
    ],
)
def test_created_at(
    tmp_path: Path, document: dict[str, Any], created_at: str, expected: Any
) -> None:
    document["created_at"] = created_at
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document))
    if expected is None:
        with pytest.raises(SnapshotError, match="created_at"):
            load_snapshot(path)
        return
    assert load_snapshot(path).created_at == expected


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000,
        b'{"format_version": 1, "accounts": {"111111111111": {"RoleDetailList": ['
        + b"[" * 100_000,
    ],
    ids=["top-level", "inside-an-entry"],
)
def test_deep_nesting_is_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(data)
    with pytest.raises(SnapshotError, match="truncated or not JSON"):
        load_snapshot(path)


def test_damaged_gzip_is_refused(tmp_path: Path, document: dict[str, Any]) -> None:
    data = gzip.compress(json.dumps(document).encode())
    path = tmp_path / "s.json.gz"
    path.write_bytes(data[:10] + b"\x00" * 20 + data[30:])
    with pytest.raises(SnapshotError, match="truncated or not JSON"):
        load_snapshot(path)
