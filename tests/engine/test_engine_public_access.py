"""Which bucket policies count as public for RestrictPublicBuckets."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.engine.public_access import is_public_policy
from access_undenied.policy import parse_policy


def _statement(principal: Any, condition: Any = None, effect: str = "Allow") -> Any:
    statement = {"Effect": effect, "Action": "s3:GetObject", "Resource": "*"}
    statement.update(principal)
    if condition:
        statement["Condition"] = condition
    return {"Statement": [statement]}


CASES = [
    ("star", _statement({"Principal": "*"}), True),
    ("aws-star", _statement({"Principal": {"AWS": "*"}}), True),
    ("not-principal", _statement({"NotPrincipal": {"AWS": "111122223333"}}), True),
    ("account", _statement({"Principal": {"AWS": "111122223333"}}), False),
    ("service", _statement({"Principal": {"Service": "logs.amazonaws.com"}}), False),
    ("deny-star", _statement({"Principal": "*"}, effect="Deny"), False),
    (
        "pinned-vpce",
        _statement({"Principal": "*"}, {"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
        False,
    ),
    (
        "pinned-org",
        _statement({"Principal": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}),
        False,
    ),
    (
        "pinned-source-arn",
        _statement(
            {"Principal": "*"}, {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:1:t"}}
        ),
        False,
    ),
    (
        "wildcard-value",
        _statement({"Principal": "*"}, {"StringLike": {"aws:PrincipalOrgID": "*"}}),
        True,
    ),
    (
        "negated",
        _statement(
            {"Principal": "*"}, {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
        ),
        True,
    ),
    (
        "ifexists",
        _statement(
            {"Principal": "*"}, {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}
        ),
        True,
    ),
    (
        "other-key",
        _statement({"Principal": "*"}, {"Bool": {"aws:SecureTransport": "true"}}),
        True,
    ),
]


@pytest.mark.parametrize(
    ("document", "public"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_public_policy_table(document: Any, public: bool) -> None:
    assert is_public_policy(parse_policy(document)) is public
