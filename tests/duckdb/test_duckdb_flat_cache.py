"""Flat rows of repeated result bodies are reused only for the very same body."""

from __future__ import annotations

import json
from typing import Any

import pytest

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb.flat_cache import FlatEncoder  # noqa: E402


def result(event_id: str, request: dict[str, Any], details: dict[str, Any]) -> Any:
    """A result object around shared body members."""
    return {
        "EventId": event_id,
        "ReasonCode": "identity_policy_missing_allow",
        "Request": request,
        "ResultDetails": details,
        "ResponsiblePolicies": [],
        "DeniedBy": ["identity"],
    }


def test_the_same_body_is_encoded_once_per_event_id() -> None:
    encoder = FlatEncoder()
    request = {"Principal": "arn:aws:iam::111122223333:user/a", "Action": "s3:Get"}
    details: dict[str, Any] = {}

    first = json.loads(encoder.encode(result("e1", request, details)))
    second = json.loads(encoder.encode(result("e2", request, details)))

    assert (first["event_id"], second["event_id"]) == ("e1", "e2")
    assert {**first, "event_id": None} == {**second, "event_id": None}


FIX = {
    "PoliciesToAdd": [
        {"AttachmentTargetArn": "arn:aws:iam::111122223333:user/a", "Policy": {}}
    ]
}

# Member -> (a new object for it, the flat field it shows in, the value then).
CHANGES: dict[str, tuple[Any, str, Any]] = {
    "Request": ({"Principal": "arn:aws:iam::111122223333:user/b"}, "principal", None),
    "ResultDetails": ({}, "fix_target", None),
    "DeniedBy": (["scp"], "denied_by", ["scp"]),
}


@pytest.mark.parametrize("changed", sorted(CHANGES))
def test_a_new_member_object_is_encoded_again(changed: str) -> None:
    encoder = FlatEncoder()
    request = {"Principal": "arn:aws:iam::111122223333:user/a"}
    base = result("e1", request, FIX)
    before = json.loads(encoder.encode(base))
    new_value, field, _ = CHANGES[changed]

    after = json.loads(encoder.encode({**base, changed: new_value}))

    assert after[field] != before[field]
    expected = new_value["Principal"] if changed == "Request" else CHANGES[changed][2]
    assert after[field] == expected


def test_the_cache_is_bounded() -> None:
    encoder = FlatEncoder(limit=3)
    kept = [result(f"e{n}", {"Principal": f"p{n}"}, {}) for n in range(10)]

    rows = [json.loads(encoder.encode(item)) for item in kept]

    assert [row["principal"] for row in rows] == [f"p{n}" for n in range(10)]
    assert len(encoder._fragments) <= 3
