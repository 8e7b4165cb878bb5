"""The policy parser on hostile documents: a Policy or a PolicyParseError, quickly."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_undenied.errors import PolicyParseError
from access_undenied.policy import Policy, parse_policy
from hypothesis import given
from robust_strategies import DEEP_JSON, JSON_VALUES, policy_documents
from robust_support import bounded, robust_settings


def parse_or_refuse(document: Any) -> Policy | PolicyParseError:
    """The parsed policy or its PolicyParseError; anything else fails the test."""
    try:
        policy, _ = bounded(lambda: parse_policy(document, "hostile"))
    except PolicyParseError as exc:
        assert "hostile" in str(exc), "the error names the policy"
        return exc
    assert isinstance(policy, Policy)
    return policy


def allow(**statement: Any) -> dict[str, Any]:
    """A document with one Allow statement on everything, plus `statement`."""
    base = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [{**base, **statement}]}


@robust_settings()
@given(policy_documents())
def test_documents_of_any_shape(document: Any) -> None:
    parse_or_refuse(document)


@robust_settings()
@given(JSON_VALUES)
def test_any_json_value(document: Any) -> None:
    parse_or_refuse(document)
    parse_or_refuse(json.dumps(document))


HOSTILE_DOCUMENTS = {
    "no-statement": {"Version": "2012-10-17"},
    "statement-null": {"Statement": None},
    "statement-scalar": {"Statement": 7},
    "statement-object": {"Statement": {"Effect": "Allow", "Action": "s3:*"}},
    "empty-text": "",
    "url-encoded-garbage": "%ZZ%",
    "url-encoded-json": "%7B%22Statement%22%3A%5B%5D%7D",
    "version-number": {"Version": 2012, "Statement": []},
    "condition-list": allow(Condition=[1, 2]),
    "condition-block-list": allow(Condition={"StringEquals": ["a"]}),
    "condition-value-object": allow(Condition={"StringEquals": {"k": {"a": 1}}}),
    "condition-bad-ip": allow(Condition={"IpAddress": {"aws:SourceIp": "1.2.3/99"}}),
    "condition-bad-date": allow(Condition={"DateLessThan": {"aws:CurrentTime": "x"}}),
    "condition-date-overflow": allow(
        Condition={"DateLessThan": {"aws:CurrentTime": "0001-01-01T00:00:00+23:59"}}
    ),
    "condition-nan": allow(Condition={"NumericEquals": {"k": "NaN"}}),
    "condition-huge-float": allow(Condition={"NumericEquals": {"k": "1e999"}}),
    "condition-empty-values": allow(Condition={"StringEquals": {"k": []}}),
    "principal-list": allow(Principal=["*"]),
    "principal-empty": allow(Principal={}),
    "principal-nested": allow(Principal={"AWS": [["*"]]}),
    "variable-unclosed": allow(Resource="arn:aws:s3:::b/${aws:username"),
    "variable-nested": allow(Resource="arn:aws:s3:::b/${${aws:username}}"),
    "variable-empty": allow(Resource="arn:aws:s3:::b/${}"),
    "huge-sid": allow(Sid="S" * 1_000_000),
    "huge-resource": allow(Resource="arn:aws:s3:::" + "a" * 1_000_000),
    "null-bytes": allow(Action="s3:\x00*"),
    "invalid-utf8-escape": '{"Statement": [{"Effect": "Allow", "Action": "\\ud800"}]}',
}


@pytest.mark.parametrize(
    "document", HOSTILE_DOCUMENTS.values(), ids=HOSTILE_DOCUMENTS.keys()
)
def test_hostile_documents(document: Any) -> None:
    parse_or_refuse(document)


def test_thousands_of_statements_parse_in_bounded_time() -> None:
    statements = [
        {
            "Sid": f"S{n}",
            "Effect": "Allow" if n % 2 else "Deny",
            "Action": [f"svc{n % 50}:Get*", f"svc{n % 7}:List{n}"],
            "Resource": f"arn:aws:s3:::bucket-{n}/*",
        }
        for n in range(5_000)
    ]

    policy = parse_or_refuse({"Version": "2012-10-17", "Statement": statements})

    assert isinstance(policy, Policy)
    assert len(policy.statements) == 5_000


def test_condition_with_thousands_of_values_parses_in_bounded_time() -> None:
    values = [f"arn:aws:iam::{n:012d}:role/*" for n in range(5_000)]
    networks = [f"10.{n // 256 % 256}.{n % 256}.0/24" for n in range(5_000)]
    condition = {
        "ArnLike": {"aws:PrincipalArn": values},
        "IpAddress": {"aws:SourceIp": networks},
        "StringEquals": {"aws:PrincipalTag/team": [str(n) for n in range(5_000)]},
    }

    policy = parse_or_refuse(allow(Condition=condition))

    assert isinstance(policy, Policy)


def test_adversarial_wildcards_parse_in_bounded_time() -> None:
    pattern = "arn:aws:s3:::" + "*a" * 5_000 + "*b"

    policy = parse_or_refuse(allow(Resource=pattern, Action="s3:" + "*G" * 5_000))

    assert isinstance(policy, Policy)


@robust_settings(max_examples=10)
@given(DEEP_JSON)
def test_deeply_nested_policy_text_is_refused(text: bytes) -> None:
    parse_or_refuse(text.decode())


# Found by this suite, fixed in 62cb51f.
ONCE_CRASHED = {
    "integer-over-4300-digits": '{"Statement": [{"Effect": "Allow", "Action": "*", '
    '"Condition": {"NumericEquals": {"k": ' + "9" * 5000 + "}}}]}",
    "invalid-utf8-bytes": b'{"Statement": [\xff]}',
    "operator-not-text": allow(Condition={1: {"k": "v"}}),
}


@pytest.mark.parametrize("document", ONCE_CRASHED.values(), ids=ONCE_CRASHED.keys())
def test_documents_refused_with_a_named_error(document: Any) -> None:
    parse_or_refuse(document)
