"""The engine on hostile policies and requests: a decision for each, quickly."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.engine import Decision, EvaluationRequest, evaluate
from access_undenied.engine.simulate import simulate
from access_undenied.errors import AccessUndeniedError, PolicyParseError
from access_undenied.policy import Policy, parse_policy
from hypothesis import given
from hypothesis import strategies as st
from robust_strategies import (
    CONDITION_KEYS,
    CONDITION_VALUES,
    JSON_VALUES,
    adversarial_wildcard,
    policy_documents,
)
from robust_support import bounded, robust_settings

ROLE = "arn:aws:iam::123456789012:role/app"
SESSION = "arn:aws:sts::123456789012:assumed-role/app/worker"
LONG_ARN = "arn:aws:s3:::bucket/" + "a" * 4_000
LAYERS = ("identity_policies", "resource_policy", "permissions_boundary", "scps")


def policy(*statements: dict[str, Any]) -> Policy:
    """A parsed policy of the given statements."""
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, "p")


def decide(request: EvaluationRequest) -> Decision:
    """Evaluate under the hang alarm; the result always has a Decision."""
    result, _ = bounded(lambda: evaluate(request))
    assert isinstance(result.decision, Decision)
    result.to_dict()
    return result.decision


def parsed_or_none(document: Any) -> Policy | None:
    """The parsed policy, or None where the parser refuses it (by name)."""
    try:
        return parse_policy(document, "drawn")
    except PolicyParseError:
        return None


def place(layer: str, parsed: Policy) -> dict[str, Any]:
    """EvaluationRequest fields that put `parsed` in `layer`."""
    if layer == "identity_policies":
        return {"identity_policies": (parsed,)}
    if layer == "scps":
        return {"scps": ((parsed,),)}
    return {layer: parsed}


@robust_settings()
@given(
    st.lists(policy_documents(), min_size=1, max_size=3),
    st.sampled_from(LAYERS),
    st.sampled_from(["s3:GetObject", "iam:PassRole", "s3:", ":", "", "*", "x" * 300]),
    st.sampled_from([LONG_ARN, "*", "", "arn:aws:s3:::data-bucket/k", "arn:::::"]),
    st.dictionaries(CONDITION_KEYS, CONDITION_VALUES | st.lists(CONDITION_VALUES)),
)
def test_random_policies_and_requests(
    documents: list[Any],
    layer: str,
    action: str,
    resource: str,
    context: dict[str, Any],
) -> None:
    policies = [p for p in map(parsed_or_none, documents) if p is not None]
    identity = tuple(policies)
    fields = place(layer, policies[0]) if policies else {}
    fields.setdefault("identity_policies", identity)
    request = EvaluationRequest(
        principal=SESSION,
        action=action,
        resource=resource,
        context=context,
        resource_account="123456789012",
        **fields,
    )
    decide(request)


@robust_settings()
@given(JSON_VALUES)
def test_simulate_takes_any_json(request: Any) -> None:
    """The public contract answers or names the error, whatever it is given."""
    try:
        bounded(lambda: simulate(request))
    except AccessUndeniedError as exc:
        assert str(exc)


ADVERSARIAL = {
    "stars-in-resource": (
        "Resource",
        "arn:aws:s3:::" + adversarial_wildcard("a", 3000),
    ),
    "stars-whole-arn": ("Resource", adversarial_wildcard("a", 3000)),
    "stars-in-action": ("Action", "s3:" + adversarial_wildcard("G", 3000)),
    "stars-and-qmarks": ("Resource", "arn:aws:s3:::" + "*a?" * 2000 + "*b"),
}


@pytest.mark.parametrize("element, pattern", ADVERSARIAL.values(), ids=ADVERSARIAL)
def test_adversarial_wildcards_against_long_arns(element: str, pattern: str) -> None:
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": "*", element: pattern}
    request = EvaluationRequest(
        principal=ROLE,
        action="s3:Get" + "G" * 4000,
        resource=LONG_ARN,
        identity_policies=(policy(statement),),
    )

    assert decide(request) is Decision.IMPLICITLY_DENIED


def test_adversarial_like_condition_against_a_long_value() -> None:
    statement = {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {
            "StringLike": {"s3:prefix": adversarial_wildcard("a", 3000)},
            "ArnLike": {"aws:PrincipalArn": adversarial_wildcard("a", 3000)},
        },
    }
    request = EvaluationRequest(
        principal=ROLE,
        action="s3:ListBucket",
        resource="arn:aws:s3:::bucket",
        context={"s3:prefix": "a" * 20_000, "aws:PrincipalArn": LONG_ARN},
        identity_policies=(policy(statement),),
    )

    assert decide(request) is Decision.IMPLICITLY_DENIED


def test_question_marks_against_a_long_resource() -> None:
    """Segments with many `?` once cost value x segment x `?` (fixed in 34e85b2)."""
    pattern = "arn:aws:s3:::" + "*" + "a?" * 600 + "b*"
    statement = {"Effect": "Allow", "Action": "s3:*", "Resource": pattern}
    request = EvaluationRequest(
        principal=ROLE,
        action="s3:GetObject",
        resource="arn:aws:s3:::" + "a" * 3000,
        identity_policies=(policy(statement),),
    )

    assert decide(request) is Decision.IMPLICITLY_DENIED


def test_thousands_of_statements_decide_in_bounded_time() -> None:
    statements = [
        {
            "Sid": f"S{n}",
            "Effect": "Allow",
            "Action": ["s3:Get*", f"s3:List{n}"],
            "Resource": f"arn:aws:s3:::bucket-{n}/*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team-{n}"}},
        }
        for n in range(5_000)
    ]
    request = EvaluationRequest(
        principal=ROLE,
        action="s3:GetObject",
        resource="arn:aws:s3:::bucket-4999/key",
        context={"aws:PrincipalTag/team": "team-4999"},
        identity_policies=(policy(*statements),),
    )

    assert decide(request) is Decision.ALLOWED


def test_conditions_with_thousands_of_values_decide_in_bounded_time() -> None:
    count = 5_000
    statement = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {
            "ArnLike": {
                "aws:PrincipalArn": [
                    f"arn:aws:iam::{n:012d}:role/*" for n in range(count)
                ]
            },
            "IpAddress": {
                "aws:SourceIp": [f"10.{n // 256}.{n % 256}.0/24" for n in range(count)]
            },
            "ForAnyValue:StringLike": {
                "aws:TagKeys": [f"*key-{n}*" for n in range(count)]
            },
        },
    }
    request = EvaluationRequest(
        principal=ROLE,
        action="s3:GetObject",
        resource="arn:aws:s3:::b/k",
        context={
            "aws:PrincipalArn": f"arn:aws:iam::{count - 1:012d}:role/app",
            "aws:SourceIp": "10.19.135.7",
            # 50 tags, AWS's limit: the cost is policy values x request values.
            "aws:TagKeys": [f"tag-{n}" for n in range(50)] + [f"x-key-{count - 1}"],
        },
        identity_policies=(policy(statement),),
    )

    assert decide(request) is Decision.ALLOWED


HOSTILE_CONTEXT = {
    "date-overflow": {"aws:CurrentTime": "0001-01-01T00:00:00+23:59"},
    "date-far-future": {"aws:CurrentTime": "9999-12-31T23:59:59-23:59"},
    "date-garbage": {"aws:CurrentTime": "\x00" * 100},
    "number-huge": {"aws:CurrentTime": "9" * 5000},
    "ip-garbage": {"aws:SourceIp": "999.1.1.1/x"},
    "ip-v6-zone": {"aws:SourceIp": "fe80::1%eth0"},
    "list-of-many": {"aws:SourceIp": ["10.0.0.1"] * 10_000},
    "empty-list": {"aws:SourceIp": []},
}
DATE_AND_IP = (
    {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}},
    {"DateLessThan": {"aws:CurrentTime": "1e999"}},
    {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"NumericLessThan": {"aws:CurrentTime": "1e308"}},
)


@pytest.mark.parametrize("condition", DATE_AND_IP, ids=lambda c: next(iter(c)))
@pytest.mark.parametrize("context", HOSTILE_CONTEXT.values(), ids=HOSTILE_CONTEXT)
def test_hostile_request_context(
    condition: dict[str, Any], context: dict[str, Any]
) -> None:
    statement = {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": condition,
    }
    request = EvaluationRequest(
        principal=ROLE,
        action="s3:GetObject",
        resource="arn:aws:s3:::b/k",
        context=context,
        identity_policies=(policy(statement),),
    )

    decide(request)
