"""Denial messages and whole records with hostile content: parsed, never raising."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.cloudtrail.messages import DenialMessage, parse_denial_message
from access_undenied.cloudtrail.models import Request
from access_undenied.cloudtrail.request import build_request
from hypothesis import given
from hypothesis import strategies as st
from robust_strategies import (
    ERROR_CODES,
    HUGE_MESSAGES,
    JSON_VALUES,
    MESSAGES,
    WRONG_TYPES,
)
from robust_support import (
    BASE_DENIAL,
    bounded,
    field_paths,
    replaced,
    robust_settings,
)

PATHS = field_paths(BASE_DENIAL)
PATH_IDS = [".".join(str(step) for step in path) for path in PATHS]

# One value of each JSON type, plus text that looks like a path, code or a pattern.
WRONG_VALUES = {
    "null": None,
    "true": True,
    "zero": 0,
    "float": 1.5,
    "empty-text": "",
    "text": "x",
    "path-text": "../../etc/passwd",
    "code-text": "__import__('os').system('id')",
    "star": "*",
    "empty-list": [],
    "list-of-null": [None],
    "object": {"a": 1},
    "deep": [[[[[[]]]]]],
    "huge-text": "A" * 100_000,
}


def check_message(code: Any, text: Any) -> DenialMessage:
    """Parse under the hang alarm; the result is always a DenialMessage."""
    message, _ = bounded(lambda: parse_denial_message(code, text))
    assert isinstance(message, DenialMessage)
    return message


@robust_settings()
@given(ERROR_CODES, MESSAGES)
def test_messages_built_from_aws_markers(code: str | None, text: str) -> None:
    check_message(code, text)


@robust_settings(max_examples=20)
@given(ERROR_CODES, HUGE_MESSAGES)
def test_huge_messages(code: str | None, text: str) -> None:
    check_message(code, text)


@robust_settings()
@given(ERROR_CODES, st.text(max_size=300))
def test_any_text(code: str | None, text: str) -> None:
    check_message(code, text)


@pytest.mark.parametrize("text", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_message_of_the_wrong_type(text: Any) -> None:
    """A record can hold any JSON value in `errorMessage`."""
    check_message("AccessDenied", text if isinstance(text, str) else None)


def check_request(record: Any) -> Request:
    """Rebuild under the hang alarm; the result is always a Request."""
    request, _ = bounded(lambda: build_request(record))
    assert isinstance(request, Request)
    request.to_dict()
    return request


@pytest.mark.parametrize("path", PATHS, ids=PATH_IDS)
@pytest.mark.parametrize("value", WRONG_VALUES.values(), ids=WRONG_VALUES.keys())
def test_wrong_type_in_every_field(path: tuple[Any, ...], value: Any) -> None:
    check_request(replaced(BASE_DENIAL, path, value))


@robust_settings()
@given(st.sampled_from(PATHS), JSON_VALUES | WRONG_TYPES)
def test_any_value_in_any_field(path: tuple[Any, ...], value: Any) -> None:
    check_request(replaced(BASE_DENIAL, path, value))


@robust_settings()
@given(st.dictionaries(st.sampled_from(sorted(BASE_DENIAL)), JSON_VALUES))
def test_records_of_any_shape(record: dict[str, Any]) -> None:
    check_request({**record, "errorCode": "AccessDenied"})


def test_base_denial_rebuilds_its_request() -> None:
    """Sanity: the unchanged record gives its action and resource."""
    request = check_request(BASE_DENIAL)

    assert request.action == "s3:GetObject"
    assert request.resource == "arn:aws:s3:::data-bucket/reports/q3.csv"
