"""The reason catalogue, the result schema and the flat fields agree."""

from __future__ import annotations

import string
from typing import Any

import pytest
from access_undenied.analyze.fields import FLAT_FIELDS, LIST_FIELDS, flatten_result
from access_undenied.analyze.reasons import (
    EXPLANATION_FIELDS,
    REASONS,
    ReasonCode,
    assessment_result,
    render_explanation,
)
from access_undenied.analyze.result import result_schema

ISSUE_CODES = {
    "identity_policy_missing_allow",
    "identity_policy_explicit_deny",
    "resource_policy_missing_allow",
    "resource_policy_explicit_deny",
    "identity_and_resource_policy_missing_allow",
    "permissions_boundary_missing_allow",
    "permissions_boundary_explicit_deny",
    "scp_missing_allow",
    "scp_explicit_deny",
    "rcp_missing_allow",
    "rcp_explicit_deny",
    "session_policy_missing_allow",
    "session_policy_explicit_deny",
    "vpc_endpoint_policy_missing_allow",
    "vpc_endpoint_policy_explicit_deny",
    "invalid_action",
    "not_reproduced",
    "unsupported",
    "insufficient_data",
    "error",
}


def test_codes_are_the_issue_list_plus_not_a_denial() -> None:
    assert {code.value for code in ReasonCode} == ISSUE_CODES | {"not_a_denial"}


def test_schema_enum_is_the_catalogue() -> None:
    enum = result_schema()["properties"]["ReasonCode"]["enum"]
    assert set(enum) == {code.value for code in ReasonCode}


def test_every_code_has_a_row() -> None:
    assert set(REASONS) == set(ReasonCode)


@pytest.mark.parametrize("code", list(ReasonCode), ids=lambda c: c.value)
def test_templates_use_only_known_fields(code: ReasonCode) -> None:
    names = {
        name
        for _, name, _, _ in string.Formatter().parse(REASONS[code].explanation)
        if name
    }
    assert names <= EXPLANATION_FIELDS


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("identity_policy_missing_allow", "Missing allow in an identity-based policy"),
        ("scp_explicit_deny", "Explicit deny in a service-control policy"),
        ("not_reproduced", "Allowed"),
        ("invalid_action", "Invalid action"),
    ],
)
def test_earlier_tool_strings(code: str, expected: str) -> None:
    assert assessment_result(ReasonCode(code)) == expected


def test_unfilled_field_reads_unknown() -> None:
    text = render_explanation(
        ReasonCode.SCP_MISSING_ALLOW, {"action": "ec2:RunInstances"}
    )
    assert "ec2:RunInstances" in text
    assert "unknown" in text


def full_result() -> dict[str, Any]:
    return {
        "EventId": "e-1",
        "ReasonCode": "identity_and_resource_policy_missing_allow",
        "AssessmentResult": "Missing allow",
        "Explanation": "Neither allows it.",
        "Request": {"Principal": "p", "Action": "sqs:SendMessage", "Resource": "q"},
        "DeniedBy": ["identity", "resource"],
        "ResponsiblePolicies": [{"PolicyArn": "arn:x", "Sid": "S1"}],
        "ResultDetails": {
            "PoliciesToAdd": [
                {"AttachmentTargetArn": "role", "Policy": {"Statement": [1]}},
                {"AttachmentTargetArn": "queue", "Policy": {"Statement": [2]}},
            ]
        },
        "Unsupported": [],
    }


def test_flatten_sets_every_field_in_order() -> None:
    flat = flatten_result(full_result())
    assert tuple(flat) == FLAT_FIELDS
    assert flat["fix_target"] == "role,queue"
    assert flat["policy_arn"] == "arn:x"
    assert flat["statement_sid"] == "S1"
    assert flat["error"] is None


def test_flatten_of_an_error_result() -> None:
    flat = flatten_result({"EventId": None, "ReasonCode": "error", "Error": "bad"})
    assert flat["error"] == "bad"
    assert flat["fix_policy"] is None
    for name in LIST_FIELDS:
        assert flat[name] == []
