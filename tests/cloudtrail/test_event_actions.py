"""The action of a request: the message's, else the event's through the table."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.cloudtrail.actions import determine_actions, event_action

# (eventSource, eventName, expected IAM action or None)
EVENTS: list[tuple[str, str, str | None]] = [
    ("ec2.amazonaws.com", "GetPasswordData", "ec2:GetPasswordData"),
    ("lambda.amazonaws.com", "ListFunctions20150331", "lambda:ListFunctions"),
    ("lambda.amazonaws.com", "GetFunction20150331v2", "lambda:GetFunction"),
    ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction"),
    ("monitoring.amazonaws.com", "PutMetricData", "cloudwatch:PutMetricData"),
    ("email.amazonaws.com", "SendEmail", "ses:SendEmail"),
    ("s3.amazonaws.com", "ListObjects", "s3:ListBucket"),
    ("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"),
    ("s3.amazonaws.com", "HeadObject", "s3:GetObject"),
    ("s3.amazonaws.com", "HeadBucket", "s3:ListBucket"),
    ("s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"),
    ("s3.amazonaws.com", "CreateMultipartUpload", "s3:PutObject"),
    ("s3.amazonaws.com", "GetBucketCors", "s3:GetBucketCORS"),
    (
        "cloudfront.amazonaws.com",
        "GetDistribution2020_05_31",
        "cloudfront:GetDistribution",
    ),
    ("sts.amazonaws.com", "AssumeRole", "sts:AssumeRole"),
    ("signin.amazonaws.com", "ConsoleLogin", None),
    ("s3.amazonaws.com", "NotAnApi", None),
    ("example.com", "GetObject", None),
    ("../../etc.amazonaws.com", "passwd", None),
    ("s3.amazonaws.com", "", None),
]


@pytest.mark.parametrize(
    ("event_source", "event_name", "expected"),
    [
        pytest.param(s, n, e, id=f"{s.split('.')[0]}-{n or 'empty'}")
        for s, n, e in EVENTS
    ],
)
def test_event_names_map_to_iam_actions(
    event_source: str, event_name: str, expected: str | None
) -> None:
    assert event_action(event_source, event_name) == expected


@pytest.mark.parametrize(
    ("message_action", "expected"),
    [
        pytest.param("SNS:Publish", "sns:Publish", id="prefix-case"),
        pytest.param("s3:getobject", "s3:GetObject", id="name-case"),
        pytest.param("newservice:DoThing", "newservice:DoThing", id="kept-if-unknown"),
    ],
)
def test_the_message_action_wins(message_action: str, expected: str) -> None:
    result = determine_actions(message_action, "s3.amazonaws.com", "ListBuckets", {})

    assert result.actions == (expected,)
    assert result.unknown is None


def test_an_undeterminable_action_is_reported_not_invented() -> None:
    result = determine_actions(None, "signin.amazonaws.com", "ConsoleLogin", {})

    assert result.actions == ()
    assert result.unknown is not None and "ConsoleLogin" in result.unknown


@pytest.mark.parametrize(
    ("event_name", "parameters", "expected"),
    [
        pytest.param(
            "RunInstances",
            {"iamInstanceProfile": {"name": "web"}},
            ("ec2:RunInstances", "iam:PassRole"),
            id="with-instance-profile",
        ),
        pytest.param("RunInstances", {}, ("ec2:RunInstances",), id="without"),
    ],
)
def test_extra_actions_follow_the_parameters(
    event_name: str, parameters: dict[str, Any], expected: tuple[str, ...]
) -> None:
    result = determine_actions(None, "ec2.amazonaws.com", event_name, parameters)

    assert result.actions == expected
