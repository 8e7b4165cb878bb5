"""parse_policy: document forms, normalisation, errors naming policy and statement."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest
from access_undenied.errors import PolicyParseError
from access_undenied.policy import Effect, Policy, SetOperator, parse_policy

DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*"],
            "NotResource": "arn:aws:s3:::b/*",
            "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "a*"}},
        },
    ],
}


@pytest.mark.parametrize(
    "form",
    [
        DOCUMENT,
        json.dumps(DOCUMENT),
        urllib.parse.quote(json.dumps(DOCUMENT)),
        json.dumps(DOCUMENT).encode(),
    ],
    ids=["dict", "json-text", "url-encoded", "bytes"],
)
def test_document_forms(form: Any) -> None:
    policy = parse_policy(form, "P")
    assert policy.policy_id == "P"
    assert [s.effect for s in policy.statements] == [Effect.ALLOW, Effect.DENY]


def test_elements_normalised() -> None:
    policy = parse_policy(DOCUMENT, "P")
    first, second = policy.statements
    assert first.sid == "Read"
    assert first.actions == ("s3:GetObject",)
    assert first.resources == ("*",)
    assert second.not_action and second.actions == ("iam:*", "sts:*")
    assert second.not_resource and second.resources == ("arn:aws:s3:::b/*",)
    condition = second.conditions[0]
    assert condition.set_operator is SetOperator.FOR_ANY_VALUE
    assert condition.if_exists is True
    assert condition.values == ("a*",)


def test_single_statement_object() -> None:
    policy = parse_policy({"Statement": {"Effect": "Allow", "Action": "*"}})
    assert len(policy.statements) == 1
    assert policy.statements[0].resources is None


@pytest.mark.parametrize(
    ("principal", "field", "values", "wildcard"),
    [
        ("*", "aws", (), True),
        ({"AWS": "*"}, "aws", ("*",), True),
        (
            {"AWS": ["111122223333", "arn:aws:iam::1:root"]},
            "aws",
            ("111122223333", "arn:aws:iam::1:root"),
            False,
        ),
        ({"Service": "s3.amazonaws.com"}, "service", ("s3.amazonaws.com",), False),
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            "federated",
            ("cognito-identity.amazonaws.com",),
            False,
        ),
        ({"CanonicalUser": "ab" * 32}, "canonical_user", ("ab" * 32,), False),
    ],
    ids=["star", "aws-star", "aws-list", "service", "federated", "canonical"],
)
def test_principal_forms(
    principal: Any, field: str, values: tuple[str, ...], wildcard: bool
) -> None:
    statement = {"Effect": "Allow", "Action": "s3:*", "Principal": principal}
    block = parse_policy({"Statement": statement}).statements[0].principal
    assert block is not None
    assert block.wildcard is wildcard
    assert getattr(block, field) == values


def test_condition_booleans_and_numbers_become_text() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "*",
        "Condition": {
            "Bool": {"aws:SecureTransport": True},
            "NumericLessThan": {"n": 3},
        },
    }
    conditions = parse_policy({"Statement": statement}).statements[0].conditions
    assert [c.values for c in conditions] == [("true",), ("3",)]


def test_unknown_operator_parses() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "*",
        "Condition": {"StringFooBar": {"k": "v"}},
    }
    condition = parse_policy({"Statement": statement}).statements[0].conditions[0]
    assert condition.spec is None
    assert condition.base_operator == "StringFooBar"


def test_action_index_finds_statements_by_service() -> None:
    policy = parse_policy(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "s3:Get*"},
                {"Effect": "Allow", "Action": "ec2:*"},
                {"Effect": "Deny", "NotAction": "iam:*"},
                {"Effect": "Allow", "Action": "*"},
            ]
        }
    )
    assert [s.index for s in policy.candidates("S3:GetObject")] == [0, 2, 3]
    assert [s.index for s in policy.candidates("sqs:SendMessage")] == [2, 3]
    assert [s.index for s in policy.statements_for_action("s3:putobject")] == [2, 3]
    assert [s.index for s in policy.statements_for_action("iam:getrole")] == [3]


BAD = [
    ("not-json", "{nope", None, "not valid JSON"),
    ("not-object", "[1, 2]", None, "not a JSON object"),
    ("no-statement", {"Version": "2012-10-17"}, None, "no Statement"),
    ("statement-not-object", {"Statement": ["x"]}, 0, "JSON object"),
    ("bad-effect", {"Statement": [{"Effect": "Permit", "Action": "*"}]}, 0, "Effect"),
    ("effect-list", {"Statement": [{"Effect": ["Allow"], "Action": "*"}]}, 0, "Effect"),
    ("no-action", {"Statement": [{"Effect": "Allow", "Resource": "*"}]}, 0, "Action"),
    (
        "both-actions",
        {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}]},
        0,
        "both",
    ),
    ("action-not-text", {"Statement": [{"Effect": "Allow", "Action": 5}]}, 0, "Action"),
    (
        "empty-action-list",
        {"Statement": [{"Effect": "Allow", "Action": []}]},
        0,
        "Action",
    ),
    (
        "lowercase-element",
        {"Statement": [{"effect": "Allow", "Action": "*"}]},
        0,
        "case-sensitive",
    ),
    (
        "principal-type",
        {"Statement": [{"Effect": "Allow", "Action": "*", "Principal": {"User": "x"}}]},
        0,
        "User",
    ),
    (
        "principal-text",
        {"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "me"}]},
        0,
        "Principal",
    ),
    (
        "condition-block",
        {
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Condition": {"StringEquals": "x"}}
            ]
        },
        0,
        "StringEquals",
    ),
    (
        "condition-value",
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Condition": {"StringEquals": {"k": {"a": 1}}},
                }
            ]
        },
        0,
        "k",
    ),
    (
        "second-statement",
        {"Statement": [{"Effect": "Allow", "Action": "*"}, {"Effect": "Allow"}]},
        1,
        "Action",
    ),
    ("not-a-document", 42, None, "int"),
    ("too-deep", "[" * 100_000 + "]" * 100_000, None, "nested too deeply"),
    (
        "digit-limit",
        '{"Statement": {"Effect": "Allow", "Action": "*", '
        + '"Condition": {"NumericEquals": {"k": '
        + "9" * 5000
        + "}}}}",
        None,
        "not valid JSON",
    ),
    ("bad-utf8", b'{"Statement": [\xff]}', None, "UTF-8"),
    (
        "operator-not-text",
        {
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Condition": {1: {"k": "v"}}}
            ]
        },
        0,
        "not text",
    ),
    (
        "condition-key-not-text",
        {
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Condition": {"Bool": {2: "true"}}}
            ]
        },
        0,
        "not text",
    ),
]


@pytest.mark.parametrize(
    ("document", "index", "fragment"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_malformed_documents(document: Any, index: int | None, fragment: str) -> None:
    with pytest.raises(PolicyParseError) as caught:
        parse_policy(document, "arn:aws:iam::1:policy/P")
    assert caught.value.policy_id == "arn:aws:iam::1:policy/P"
    assert caught.value.statement_index == index
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_policy_built_by_hand_is_indexed() -> None:
    parsed = parse_policy({"Statement": [{"Effect": "Allow", "Action": "S3:Get*"}]})
    policy = Policy("by-hand", None, parsed.statements)
    assert policy.statements_for_action("s3:GetObject") == parsed.statements
    assert policy.statements_for_action("S3:GETOBJECT") == parsed.statements
    assert policy.statements_for_action("sqs:SendMessage") == ()
