"""The command's request cache: same request, other event members, same key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_undenied_splunk.enrich import (
    EVENT_MEMBERS,
    TIME_MEMBER,
    LayoutCache,
    RequestKey,
    to_splunk,
)

KEYS = RequestKey({**EVENT_MEMBERS, **TIME_MEMBER})
KEYS_WITHOUT_TIME = RequestKey(EVENT_MEMBERS)


def record(**changes: Any) -> dict[str, Any]:
    """A small CloudTrail denial; `changes` replace or add members."""
    base: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/alice"},
        "eventTime": "2026-11-20T09:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "sourceIPAddress": "198.51.100.7",
        "errorCode": "AccessDenied",
        "errorMessage": "User: arn:aws:iam::1:user/alice is not authorized",
        "requestParameters": {"bucketName": "b", "key": "k"},
        "additionalEventData": {"x-amz-id-2": "abcDEF123="},
        "requestID": "REQ0000000001",
        "eventID": "00000000-0000-4000-8000-000000000001",
    }
    base.update(changes)
    return base


def text(value: dict[str, Any]) -> str:
    return json.dumps(value)


SAME_REQUEST = {
    "other-event-id": {"eventID": "00000000-0000-4000-8000-000000000002"},
    "other-request-id": {"requestID": "REQ0000000002"},
    "other-time": {"eventTime": "2026-11-21T10:11:12Z"},
    "other-amz-id": {"additionalEventData": {"x-amz-id-2": "zzzZZZ999="}},
}
OTHER_REQUEST = {
    "address": {"sourceIPAddress": "198.51.100.8"},
    "action": {"eventName": "PutObject"},
    "caller": {"userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/bob"}},
    "parameter": {"requestParameters": {"bucketName": "b", "key": "l"}},
    "message": {"errorMessage": "User: arn:aws:iam::1:user/alice is not authorised"},
}


@pytest.mark.parametrize(
    "changes", list(SAME_REQUEST.values()), ids=list(SAME_REQUEST.keys())
)
def test_event_members_do_not_change_the_key(changes: dict[str, Any]) -> None:
    first, second = KEYS.mask(text(record())), KEYS.mask(text(record(**changes)))

    assert first.key is not None
    assert first.key == second.key


@pytest.mark.parametrize(
    "changes", list(OTHER_REQUEST.values()), ids=list(OTHER_REQUEST.keys())
)
def test_request_members_change_the_key(changes: dict[str, Any]) -> None:
    first, second = KEYS.mask(text(record())), KEYS.mask(text(record(**changes)))

    assert first.key != second.key


def test_time_stays_in_the_key_when_the_snapshot_reads_it() -> None:
    later = record(eventTime="2026-11-21T10:11:12Z")

    assert KEYS_WITHOUT_TIME.mask(text(record())).key != (
        KEYS_WITHOUT_TIME.mask(text(later)).key
    )


def test_mask_reports_values_and_spans() -> None:
    source = text(record())

    masked = KEYS.mask(source)

    assert masked.values["eventID"] == "00000000-0000-4000-8000-000000000001"
    start, end = masked.spans["requestID"]
    assert source[start:end] == "REQ0000000001"


def test_a_member_named_twice_gives_no_key() -> None:
    nested = record(requestParameters={"eventID": "inner"})

    assert KEYS.mask(text(nested)).key is None


def test_an_escaped_value_is_not_masked() -> None:
    first = KEYS.mask(text(record(eventID='a"b')))
    second = KEYS.mask(text(record(eventID='a"c')))

    assert "eventID" not in first.values
    assert first.key != second.key


def test_verify_refuses_a_nested_member_for_a_missing_top_level_one() -> None:
    without = record()
    del without["eventID"]
    without["requestParameters"] = {"eventID": "00000000"}

    masked = KEYS.mask(text(without))

    assert not KEYS.verify(without, masked.values)
    assert KEYS.verify(record(), KEYS.mask(text(record())).values)


def known(cache: LayoutCache, value: dict[str, Any]) -> str:
    source = text(value)
    cache.add(source, KEYS.mask(source).spans, {"au_reason_code": "x"})
    return source


def test_layout_finds_the_same_request_with_other_ids() -> None:
    cache = LayoutCache()
    known(cache, record())
    again = record(eventID="00000000-0000-4000-8000-000000000009")

    found = cache.find(text(again))

    assert found == ({"au_reason_code": "x"}, again["eventID"])


LAYOUT_MISSES = {
    "one-character-outside": record(sourceIPAddress="198.51.100.9"),
    "quote-inside-a-value": record(eventID='00000000-0000-4000-8000-00000000000"'),
    "other-length": record(eventID="00000000-0000-4000-8000-0000000000011"),
}


@pytest.mark.parametrize(
    "value", list(LAYOUT_MISSES.values()), ids=list(LAYOUT_MISSES.keys())
)
def test_layout_misses_anything_else(value: dict[str, Any]) -> None:
    cache = LayoutCache()
    known(cache, record())

    assert cache.find(text(value)) is None


def test_layout_refuses_a_value_that_would_change_the_structure() -> None:
    cache = LayoutCache()
    source = known(cache, record())
    start, end = KEYS.mask(source).spans["eventID"]
    tampered = source[:start] + '","x":"' + source[start + 7 : end] + source[end:]

    assert len(tampered) == len(source)
    assert cache.find(tampered) is None


CONVERSIONS = {
    "empty-text": ("explanation", "", None),
    "none": ("explanation", None, None),
    "text": ("explanation", "because", "because"),
    "no-layers": ("denied_by", [], None),
    "one-layer": ("denied_by", ["scp"], "scp"),
    "two-layers": ("denied_by", ["scp", "identity"], ["scp", "identity"]),
}


@pytest.mark.parametrize(
    "name, value, expected", list(CONVERSIONS.values()), ids=list(CONVERSIONS.keys())
)
def test_to_splunk(name: str, value: Any, expected: Any) -> None:
    assert to_splunk(name, value) == expected
