"""Condition operators: one table row per operator and rule, each with an id."""

from __future__ import annotations

from typing import Union

import pytest
from access_undenied.policy.conditions import OPERATORS, evaluate_condition
from access_undenied.policy.parse import build_condition

Request = Union[str, list[str], None]

# (id, operator, policy values, request value or None when the key is absent, result)
CASES: list[tuple[str, str, list[str], Request, bool | None]] = [
    ("StringEquals-match", "StringEquals", ["a", "b"], "b", True),
    ("StringEquals-case", "StringEquals", ["A"], "a", False),
    ("StringEquals-missing", "StringEquals", ["a"], None, False),
    ("StringNotEquals-match", "StringNotEquals", ["a"], "a", False),
    ("StringNotEquals-other", "StringNotEquals", ["a", "b"], "c", True),
    ("StringNotEquals-missing", "StringNotEquals", ["a"], None, True),
    ("StringEqualsIgnoreCase", "StringEqualsIgnoreCase", ["Blue"], "BLUE", True),
    ("StringEqualsIgnoreCase-miss", "StringEqualsIgnoreCase", ["Blue"], "red", False),
    ("StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", ["Blue"], "blue", False),
    (
        "StringNotEqualsIgnoreCase-other",
        "StringNotEqualsIgnoreCase",
        ["Blue"],
        "x",
        True,
    ),
    ("StringLike-star", "StringLike", ["home/*"], "home/alice/x", True),
    ("StringLike-qmark", "StringLike", ["v?"], "v1", True),
    ("StringLike-case", "StringLike", ["Home/*"], "home/x", False),
    ("StringLike-missing", "StringLike", ["*"], None, False),
    ("StringNotLike", "StringNotLike", ["home/*"], "home/x", False),
    ("StringNotLike-other", "StringNotLike", ["home/*"], "work/x", True),
    ("StringNotLike-missing", "StringNotLike", ["home/*"], None, True),
    ("NumericEquals", "NumericEquals", ["10"], "10.0", True),
    ("NumericEquals-miss", "NumericEquals", ["10"], "11", False),
    ("NumericNotEquals", "NumericNotEquals", ["10"], "11", True),
    ("NumericNotEquals-missing", "NumericNotEquals", ["10"], None, True),
    ("NumericLessThan", "NumericLessThan", ["10"], "9", True),
    ("NumericLessThan-equal", "NumericLessThan", ["10"], "10", False),
    ("NumericLessThanEquals", "NumericLessThanEquals", ["10"], "10", True),
    ("NumericGreaterThan", "NumericGreaterThan", ["10"], "10.5", True),
    ("NumericGreaterThan-miss", "NumericGreaterThan", ["10"], "3", False),
    ("NumericGreaterThanEquals", "NumericGreaterThanEquals", ["10"], "10", True),
    ("Numeric-not-a-number", "NumericEquals", ["10"], "ten", False),
    (
        "DateEquals",
        "DateEquals",
        ["2026-01-01T00:00:00Z"],
        "2026-01-01T00:00:00Z",
        True,
    ),
    ("DateEquals-epoch", "DateEquals", ["1767225600"], "2026-01-01T00:00:00Z", True),
    ("DateNotEquals", "DateNotEquals", ["2026-01-01T00:00:00Z"], "2026-01-02", True),
    (
        "DateLessThan",
        "DateLessThan",
        ["2026-01-01T00:00:00Z"],
        "2025-12-31T23:59:59Z",
        True,
    ),
    (
        "DateLessThan-after",
        "DateLessThan",
        ["2026-01-01T00:00:00Z"],
        "2026-06-01T00:00:00Z",
        False,
    ),
    (
        "DateLessThanEquals",
        "DateLessThanEquals",
        ["2026-01-01"],
        "2026-01-01T00:00:00Z",
        True,
    ),
    (
        "DateGreaterThan",
        "DateGreaterThan",
        ["2026-01-01T00:00:00Z"],
        "2026-01-01T00:00:01Z",
        True,
    ),
    (
        "DateGreaterThanEquals",
        "DateGreaterThanEquals",
        ["2026-01-01T00:00:00+01:00"],
        "2025-12-31T23:00:00Z",
        True,
    ),
    ("Date-not-a-date", "DateGreaterThan", ["2026-01-01"], "yesterday", False),
    ("Bool-true", "Bool", ["true"], "true", True),
    ("Bool-case", "Bool", ["True"], "TRUE", True),
    ("Bool-false", "Bool", ["true"], "false", False),
    ("Bool-missing", "Bool", ["false"], None, False),
    ("BinaryEquals", "BinaryEquals", ["QmluYXJ5"], "QmluYXJ5", True),
    ("BinaryEquals-miss", "BinaryEquals", ["QmluYXJ5"], "QmluYXJ6", False),
    ("IpAddress-v4", "IpAddress", ["203.0.113.0/24"], "203.0.113.7", True),
    ("IpAddress-v4-miss", "IpAddress", ["203.0.113.0/24"], "198.51.100.7", False),
    ("IpAddress-host", "IpAddress", ["203.0.113.7"], "203.0.113.7", True),
    ("IpAddress-v6", "IpAddress", ["2001:db8::/32"], "2001:db8:1::5", True),
    ("IpAddress-v6-miss", "IpAddress", ["2001:db8::/32"], "2001:db9::5", False),
    ("IpAddress-not-an-ip", "IpAddress", ["10.0.0.0/8"], "ec2.amazonaws.com", False),
    ("NotIpAddress", "NotIpAddress", ["10.0.0.0/8"], "10.1.2.3", False),
    ("NotIpAddress-outside", "NotIpAddress", ["10.0.0.0/8"], "192.0.2.1", True),
    ("NotIpAddress-missing", "NotIpAddress", ["10.0.0.0/8"], None, True),
    (
        "ArnEquals",
        "ArnEquals",
        ["arn:aws:sns:us-east-1:111122223333:t"],
        "arn:aws:sns:us-east-1:111122223333:t",
        True,
    ),
    (
        "ArnLike",
        "ArnLike",
        ["arn:aws:iam::*:role/app-*"],
        "arn:aws:iam::111122223333:role/app-1",
        True,
    ),
    (
        "ArnLike-no-colon-crossing",
        "ArnLike",
        ["arn:aws:iam::*"],
        "arn:aws:iam::111122223333:role/app",
        False,
    ),
    (
        "ArnLike-miss",
        "ArnLike",
        ["arn:aws:iam::*:role/app-*"],
        "arn:aws:iam::111122223333:user/app-1",
        False,
    ),
    (
        "ArnNotEquals",
        "ArnNotEquals",
        ["arn:aws:iam::1:role/a"],
        "arn:aws:iam::1:role/b",
        True,
    ),
    (
        "ArnNotLike",
        "ArnNotLike",
        ["arn:aws:iam::*:role/a*"],
        "arn:aws:iam::1:role/ab",
        False,
    ),
    ("ArnNotLike-missing", "ArnNotLike", ["arn:aws:iam::*:role/a*"], None, True),
    ("Null-true-absent", "Null", ["true"], None, True),
    ("Null-true-present", "Null", ["true"], "x", False),
    ("Null-false-present", "Null", ["false"], "x", True),
    ("Null-false-absent", "Null", ["false"], None, False),
    ("IfExists-absent", "StringEqualsIfExists", ["a"], None, True),
    ("IfExists-present-match", "StringEqualsIfExists", ["a"], "a", True),
    ("IfExists-present-miss", "StringEqualsIfExists", ["a"], "b", False),
    ("NumericIfExists-absent", "NumericLessThanIfExists", ["3"], None, True),
    ("ForAllValues-all", "ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
    (
        "ForAllValues-one-outside",
        "ForAllValues:StringEquals",
        ["a", "b"],
        ["a", "c"],
        False,
    ),
    ("ForAllValues-absent", "ForAllValues:StringEquals", ["a"], None, True),
    ("ForAllValues-empty", "ForAllValues:StringEquals", ["a"], [], True),
    (
        "ForAllValues-like",
        "ForAllValues:StringLike",
        ["env*"],
        ["env", "environment"],
        True,
    ),
    ("ForAnyValue-one", "ForAnyValue:StringEquals", ["a"], ["x", "a"], True),
    ("ForAnyValue-none", "ForAnyValue:StringEquals", ["a"], ["x", "y"], False),
    ("ForAnyValue-absent", "ForAnyValue:StringEquals", ["a"], None, False),
    (
        "ForAnyValue-IfExists-absent",
        "ForAnyValue:StringEqualsIfExists",
        ["a"],
        None,
        True,
    ),
    ("ForAnyValue-negated", "ForAnyValue:StringNotEquals", ["a"], ["a", "b"], True),
    ("ForAllValues-negated", "ForAllValues:StringNotEquals", ["a"], ["b", "c"], True),
    (
        "ForAllValues-negated-hit",
        "ForAllValues:StringNotEquals",
        ["a"],
        ["a", "c"],
        False,
    ),
    ("single-op-on-list", "StringEquals", ["a"], ["x", "a"], True),
    ("unknown-operator", "StringFooBar", ["a"], "a", None),
    ("unknown-set-prefix", "ForSomeValues:StringEquals", ["a"], "a", None),
    ("NullIfExists-unknown", "NullIfExists", ["true"], None, None),
    ("bad-policy-number", "NumericEquals", ["ten"], "10", None),
    ("bad-policy-cidr", "IpAddress", ["10.0.0.0/99"], "10.0.0.1", None),
]


def _context(value: Request) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    return {"test:key": (value,) if isinstance(value, str) else tuple(value)}


@pytest.mark.parametrize(
    ("operator", "policy_values", "request_value", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_operator_table(
    operator: str,
    policy_values: list[str],
    request_value: Request,
    expected: bool | None,
) -> None:
    condition = build_condition(operator, "Test:Key", tuple(policy_values), None)
    outcome = evaluate_condition(condition, _context(request_value), lambda key: None)
    assert outcome.result is expected


def test_every_operator_in_the_table_has_a_case() -> None:
    tested = {case[1].split(":")[-1].replace("IfExists", "").lower() for case in CASES}
    assert set(OPERATORS) <= tested


@pytest.mark.parametrize(
    ("text", "base", "prefix", "if_exists"),
    [
        ("StringLike", "StringLike", None, False),
        ("stringlike", "StringLike", None, False),
        ("StringLikeIfExists", "StringLike", None, True),
        ("ForAnyValue:StringLikeIfExists", "StringLike", "ForAnyValue", True),
        ("ForAllValues:ArnEquals", "ArnEquals", "ForAllValues", False),
        ("Null", "Null", None, False),
    ],
    ids=["plain", "lowercase", "ifexists", "prefix-ifexists", "forall", "null"],
)
def test_operator_parsed_into_fields(
    text: str, base: str, prefix: str | None, if_exists: bool
) -> None:
    condition = build_condition(text, "k", ("v",), None)
    assert condition.base_operator == base
    assert condition.if_exists is if_exists
    assert (condition.set_operator.value if condition.set_operator else None) == prefix


def test_condition_key_name_is_case_insensitive() -> None:
    condition = build_condition("StringEquals", "AWS:SourceVpce", ("vpce-1",), None)
    outcome = evaluate_condition(condition, {"aws:sourcevpce": ("vpce-1",)}, dict().get)
    assert outcome.result is True
