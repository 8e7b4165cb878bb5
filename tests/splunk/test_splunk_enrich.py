"""The command's request cache: same request, other event members, same key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_undenied_splunk.enrich import (
    EVENT_MEMBERS,
    TIME_MEMBER,
    Enricher,
    RequestKey,
    event_id_of,
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
    first, second = text(record()), text(record(**changes))

    assert KEYS.mask(first) == KEYS.mask(second)
    assert KEYS.learnable(first, record())


@pytest.mark.parametrize(
    "changes", list(OTHER_REQUEST.values()), ids=list(OTHER_REQUEST.keys())
)
def test_request_members_change_the_key(changes: dict[str, Any]) -> None:
    assert KEYS.mask(text(record())) != KEYS.mask(text(record(**changes)))


def test_time_stays_in_the_key_when_the_snapshot_reads_it() -> None:
    later = record(eventTime="2026-11-21T10:11:12Z")

    assert KEYS_WITHOUT_TIME.mask(text(record())) != (
        KEYS_WITHOUT_TIME.mask(text(later))
    )


def test_a_member_named_twice_is_not_learnable() -> None:
    nested = record(requestParameters={"eventID": "inner"})

    assert not KEYS.learnable(text(nested), nested)


def test_a_nested_member_does_not_stand_for_a_missing_top_level_one() -> None:
    without = record()
    del without["eventID"]
    without["requestParameters"] = {"eventID": "00000000"}

    assert not KEYS.learnable(text(without), without)


def test_an_escaped_value_is_not_masked() -> None:
    first = KEYS.mask(text(record(eventID='a"b')))
    second = KEYS.mask(text(record(eventID='a"c')))

    assert first != second


def test_event_id_of_a_record_text() -> None:
    assert event_id_of(text(record())) == "00000000-0000-4000-8000-000000000001"
    assert event_id_of(text({"eventName": "GetObject"})) is None


class CountingAnalyzer:
    """A stand-in Analyzer that counts its evaluations."""

    def __init__(self) -> None:
        self.calls = 0

    def explain_record(self, value: Any) -> dict[str, Any]:
        self.calls += 1
        event_id = value.get("eventID") if isinstance(value, dict) else None
        return {
            "EventId": event_id,
            "ReasonCode": f"code-{self.calls}",
            "DeniedBy": ["scp", "identity"],
        }

    def snapshot_fields(self) -> dict[str, Any]:
        return {"SnapshotTime": None, "SnapshotAgeSeconds": None}


def test_a_repeated_request_is_evaluated_once() -> None:
    analyzer = CountingAnalyzer()
    enricher = Enricher(analyzer, "au_", reads_time=False)
    again = record(eventID="00000000-0000-4000-8000-000000000002")

    first, first_id = enricher.fields(text(record()))
    second, second_id = enricher.fields(text(again))

    assert analyzer.calls == 1
    assert second is first
    assert (first_id, second_id) == (record()["eventID"], again["eventID"])
    assert first["au_denied_by"] == ["scp", "identity"]


def test_another_request_is_evaluated_again() -> None:
    analyzer = CountingAnalyzer()
    enricher = Enricher(analyzer, "au_", reads_time=False)

    enricher.fields(text(record()))
    other, _ = enricher.fields(text(record(sourceIPAddress="198.51.100.8")))

    assert analyzer.calls == 2
    assert other["au_reason_code"] == "code-2"


def test_a_text_holding_the_mask_character_is_never_served_from_the_cache() -> None:
    analyzer = CountingAnalyzer()
    enricher = Enricher(analyzer, "au_", reads_time=False)
    source = text(record())
    enricher.fields(source)

    fields, _ = enricher.fields(KEYS.mask(source))

    assert analyzer.calls == 1
    assert fields["au_reason_code"] == "error"


class FailingAnalyzer(CountingAnalyzer):
    """A stand-in Analyzer that fails, on one record, in a way no one foresaw."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def explain_record(self, value: Any) -> dict[str, Any]:
        if isinstance(value, dict) and value.get("eventName") == "Poison":
            raise self.error
        return super().explain_record(value)


FAILURES = {
    "recursion": RecursionError("maximum recursion depth exceeded"),
    "key": KeyError("userIdentity"),
    "type": TypeError("unhashable type: 'list'"),
}


@pytest.mark.parametrize("error", FAILURES.values(), ids=FAILURES)
def test_an_unexpected_failure_is_an_error_on_its_record_only(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    enricher = Enricher(FailingAnalyzer(error), "au_", reads_time=False)
    poison = text(record(eventName="Poison", requestParameters={"secret": "s3kr1t"}))

    failed, event_id = enricher.guarded_fields(poison)
    good, _ = enricher.guarded_fields(text(record()))

    assert failed["au_reason_code"] == "error"
    assert type(error).__name__ in failed["au_error"]
    assert event_id == record()["eventID"]
    assert good["au_reason_code"] == "code-1"
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert [type(error).__name__ in r.getMessage() for r in warnings] == [True]
    assert "s3kr1t" not in caplog.text


MISSING = {"none": None, "empty": "", "empty-list": []}


@pytest.mark.parametrize("value", list(MISSING.values()), ids=list(MISSING.keys()))
def test_a_missing_record_is_an_error(value: Any) -> None:
    enricher = Enricher(CountingAnalyzer(), "au_", reads_time=False)

    fields, event_id = enricher.fields(value)

    assert fields["au_reason_code"] == "error"
    assert "no CloudTrail record" in fields["au_error"]
    assert event_id is None


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
