"""ARN matching segment by segment: `*` never crosses the first five colons."""

from __future__ import annotations

import pytest
from access_undenied.policy.arn import compile_arn, parse_arn

CASES = [
    ("exact", "arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key", True),
    (
        "exact-case-sensitive",
        "arn:aws:s3:::Bucket/key",
        "arn:aws:s3:::bucket/key",
        False,
    ),
    ("resource-star", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", True),
    (
        "resource-star-other-bucket",
        "arn:aws:s3:::bucket/*",
        "arn:aws:s3:::other/a",
        False,
    ),
    ("bucket-not-object", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", False),
    ("star-matches-all", "*", "arn:aws:s3:::bucket/key", True),
    ("star-matches-star", "*", "*", True),
    ("arn-does-not-match-star", "arn:aws:s3:::*", "*", False),
    (
        "region-star",
        "arn:aws:sqs:*:111122223333:q",
        "arn:aws:sqs:eu-west-1:111122223333:q",
        True,
    ),
    (
        "account-star",
        "arn:aws:sqs:us-east-1:*:q",
        "arn:aws:sqs:us-east-1:444455556666:q",
        True,
    ),
    (
        "account-differs",
        "arn:aws:sqs:us-east-1:111122223333:q",
        "arn:aws:sqs:us-east-1:111122223334:q",
        False,
    ),
    (
        "star-does-not-cross-colon",
        "arn:aws:sqs:us-*",
        "arn:aws:sqs:us-east-1:111122223333:q",
        False,
    ),
    (
        "segment-star-not-across",
        "arn:aws:*:us-east-1:111122223333:q",
        "arn:aws:sqs:us:east-1:111122223333:q",
        False,
    ),
    (
        "resource-part-may-hold-colons",
        "arn:aws:logs:us-east-1:111122223333:log-group:*",
        "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s",
        True,
    ),
    ("all-segments-star", "arn:*:*:*:*:*", "arn:aws:iam::111122223333:role/r", True),
    (
        "empty-region-vs-star",
        "arn:aws:iam::*:role/r",
        "arn:aws:iam::111122223333:role/r",
        True,
    ),
    (
        "role-path-star",
        "arn:aws:iam::111122223333:role/team/*",
        "arn:aws:iam::111122223333:role/team/app",
        True,
    ),
    (
        "role-path-differs",
        "arn:aws:iam::111122223333:role/team/*",
        "arn:aws:iam::111122223333:role/app",
        False,
    ),
    (
        "qmark-region",
        "arn:aws:ec2:us-east-?:111122223333:instance/*",
        "arn:aws:ec2:us-east-2:111122223333:instance/i-1",
        True,
    ),
    ("partition-differs", "arn:aws:s3:::b/*", "arn:aws-cn:s3:::b/k", False),
]


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_arn_table(pattern: str, value: str, expected: bool) -> None:
    assert compile_arn(pattern).matches(value) is expected


@pytest.mark.parametrize(
    ("text", "account", "resource_type"),
    [
        ("arn:aws:iam::111122223333:role/path/r", "111122223333", "role"),
        ("arn:aws:s3:::bucket/key", "", "bucket"),
        ("arn:aws:kms:us-east-1:111122223333:key/1234", "111122223333", "key"),
        ("arn:aws:logs:us-east-1:1:log-group:g", "1", "log-group"),
    ],
    ids=["role", "s3", "kms", "colon-type"],
)
def test_parse_arn(text: str, account: str, resource_type: str) -> None:
    arn = parse_arn(text)
    assert arn is not None
    assert arn.account == account
    assert arn.resource_type == resource_type


@pytest.mark.parametrize(
    "text", ["*", "s3.amazonaws.com", "arn:aws:s3", "ARN:aws:s3:::b"]
)
def test_parse_arn_rejects_non_arns(text: str) -> None:
    assert parse_arn(text) is None
