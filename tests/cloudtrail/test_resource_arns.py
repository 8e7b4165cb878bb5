"""The resource of a request: message, `resources[]`, `requestParameters`, `*`."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.cloudtrail import build_request
from access_undenied.cloudtrail.arns import format_pattern, queue_url_arn
from cloudtrail_records import make_record

ACCOUNT = "111122223333"
REGION = "us-east-1"


def denied_by_event(source: str, name: str, parameters: Any, **members: Any) -> Any:
    """A denial whose message names nothing, so the event must tell."""
    return make_record(
        eventSource=f"{source}.amazonaws.com",
        eventName=name,
        requestParameters=parameters,
        errorMessage="Access Denied",
        **members,
    )


# (id, eventSource prefix, eventName, requestParameters, expected resources)
BUILT: list[tuple[str, str, str, dict[str, Any], tuple[str, ...]]] = [
    ("s3-bucket", "s3", "ListObjects", {"bucketName": "b"}, ("arn:aws:s3:::b",)),
    (
        "s3-object",
        "s3",
        "GetObject",
        {"bucketName": "b", "key": "dir/f.txt"},
        ("arn:aws:s3:::b/dir/f.txt",),
    ),
    (
        "iam-user",
        "iam",
        "DeleteUser",
        {"userName": "bob"},
        (f"arn:aws:iam::{ACCOUNT}:user/bob",),
    ),
    (
        "iam-role",
        "iam",
        "GetRole",
        {"roleName": "app"},
        (f"arn:aws:iam::{ACCOUNT}:role/app",),
    ),
    (
        "iam-policy",
        "iam",
        "GetPolicy",
        {"policyArn": f"arn:aws:iam::{ACCOUNT}:policy/p"},
        (f"arn:aws:iam::{ACCOUNT}:policy/p",),
    ),
    (
        "lambda-function-name",
        "lambda",
        "GetFunction20150331v2",
        {"functionName": "fn"},
        (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn",),
    ),
    (
        "lambda-function-arn",
        "lambda",
        "Invoke",
        {"functionName": "arn:aws:lambda:eu-west-1:444455556666:function:fn"},
        ("arn:aws:lambda:eu-west-1:444455556666:function:fn",),
    ),
    (
        "kms-key-id",
        "kms",
        "Decrypt",
        {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
        (f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",),
    ),
    (
        "kms-key-arn",
        "kms",
        "GenerateDataKey",
        {"keyId": "arn:aws:kms:us-west-2:444455556666:key/k-1"},
        ("arn:aws:kms:us-west-2:444455556666:key/k-1",),
    ),
    (
        "secret-arn",
        "secretsmanager",
        "GetSecretValue",
        {"secretId": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf"},
        (f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf",),
    ),
    (
        "sqs-queue-url",
        "sqs",
        "SendMessage",
        {"queueUrl": "https://sqs.eu-west-1.amazonaws.com/444455556666/jobs"},
        ("arn:aws:sqs:eu-west-1:444455556666:jobs",),
    ),
    (
        "sns-topic",
        "sns",
        "Publish",
        {"topicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts", "message": "hi"},
        (f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",),
    ),
    (
        "dynamodb-table",
        "dynamodb",
        "GetItem",
        {"tableName": "orders"},
        (f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders",),
    ),
    (
        "ec2-instance-id",
        "ec2",
        "GetPasswordData",
        {"instanceId": "i-0abc"},
        (f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-0abc",),
    ),
    (
        "ec2-instances-set",
        "ec2",
        "StopInstances",
        {"instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-2"}]}},
        (
            f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-1",
            f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-2",
        ),
    ),
    (
        "ecr-repository-registry",
        "ecr",
        "BatchGetImage",
        {"repositoryName": "web", "registryId": "444455556666"},
        (f"arn:aws:ecr:{REGION}:444455556666:repository/web",),
    ),
    (
        "logs-group",
        "logs",
        "CreateLogGroup",
        {"logGroupName": "/app/web"},
        (f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/app/web",),
    ),
    (
        "sts-assume-role",
        "sts",
        "AssumeRole",
        {"roleArn": "arn:aws:iam::444455556666:role/deploy", "roleSessionName": "s"},
        ("arn:aws:iam::444455556666:role/deploy",),
    ),
    ("no-resource-types", "s3", "ListBuckets", {}, ("*",)),
]


@pytest.mark.parametrize(
    ("source", "name", "parameters", "expected"),
    [pytest.param(s, n, p, e, id=i) for i, s, n, p, e in BUILT],
)
def test_resources_built_from_request_parameters(
    source: str, name: str, parameters: dict[str, Any], expected: tuple[str, ...]
) -> None:
    request = build_request(denied_by_event(source, name, parameters))

    assert request.resources == expected


@pytest.mark.parametrize(
    ("source", "name", "parameters", "unknown_part"),
    [
        pytest.param("kms", "Decrypt", {"keyId": "alias/app"}, "alias", id="kms-alias"),
        pytest.param("ec2", "GetPasswordData", {}, "ec2:GetPasswordData", id="no-id"),
        pytest.param("s3", "GetObject", None, "s3:GetObject", id="no-parameters"),
    ],
)
def test_unknown_resources_are_said(
    source: str, name: str, parameters: Any, unknown_part: str
) -> None:
    request = build_request(denied_by_event(source, name, parameters))

    assert request.resources == ()
    assert any(unknown_part in sentence for sentence in request.unknowns)


def test_secret_by_name_is_built_and_the_missing_suffix_said() -> None:
    record = denied_by_event("secretsmanager", "GetSecretValue", {"secretId": "db"})

    request = build_request(record)

    assert request.resources == (
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db",
    )
    assert any("suffix" in sentence for sentence in request.unknowns)


def message_record(resource_clause: str, **members: Any) -> dict[str, Any]:
    """A record whose message names the resource in the given words."""
    return make_record(
        errorMessage="User: arn:aws:iam::111122223333:user/alice is not authorized to "
        f"perform: iam:PassRole{resource_clause} because no identity-based policy "
        "allows the iam:PassRole action",
        eventSource="iam.amazonaws.com",
        eventName="PassRole",
        **members,
    )


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        pytest.param(
            " on resource: arn:aws:iam::444455556666:role/x",
            ("arn:aws:iam::444455556666:role/x",),
            id="plain-arn",
        ),
        pytest.param(
            ' on resource: "arn:aws:iam::444455556666:role/x"',
            ("arn:aws:iam::444455556666:role/x",),
            id="quoted-arn",
        ),
        pytest.param(
            " on resource: role deploy",
            (f"arn:aws:iam::{ACCOUNT}:role/deploy",),
            id="role-name",
        ),
    ],
)
def test_the_message_resource_wins(clause: str, expected: tuple[str, ...]) -> None:
    record = message_record(clause, requestParameters={"roleName": "other"})

    assert build_request(record).resources == expected


def test_access_key_resource_is_unknown_with_a_sentence() -> None:
    record = message_record(
        " on resource: access key AKIAEXAMPLE", requestParameters={}
    )

    request = build_request(record)

    assert request.resources == ()
    assert any("AKIAEXAMPLE" in sentence for sentence in request.unknowns)


def test_this_resource_falls_back_to_the_parameters() -> None:
    record = make_record(
        eventSource="kms.amazonaws.com",
        eventName="GenerateDataKey",
        errorMessage="User: arn:aws:iam::111122223333:user/alice is not authorized to "
        "perform: kms:GenerateDataKey on this resource because no identity-based "
        "policy allows the kms:GenerateDataKey action",
        requestParameters={"keyId": "arn:aws:kms:us-east-1:444455556666:key/k-9"},
    )

    request = build_request(record)

    assert request.resources == ("arn:aws:kms:us-east-1:444455556666:key/k-9",)
    assert request.resource_account == "444455556666"


S3_RESOURCES = [
    {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"},
    {"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b", "accountId": "444455556666"},
]


@pytest.mark.parametrize(
    ("event_name", "expected_first"),
    [
        pytest.param("GetObject", "arn:aws:s3:::b/k", id="object-action"),
        pytest.param("ListObjects", "arn:aws:s3:::b", id="bucket-action"),
    ],
)
def test_listed_resources_of_the_action_type_come_first(
    event_name: str, expected_first: str
) -> None:
    record = make_record(eventName=event_name, resources=list(reversed(S3_RESOURCES)))

    request = build_request(record)

    assert request.resources[0] == expected_first
    assert request.resource_account == "444455556666"


def test_s3_owner_is_not_guessed_without_the_entry() -> None:
    record = make_record(resources=[S3_RESOURCES[0]])

    assert build_request(record).resource_account is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "https://sqs.us-east-2.amazonaws.com/123456789012/q1",
            "arn:aws:sqs:us-east-2:123456789012:q1",
            id="sqs-host",
        ),
        pytest.param(
            "https://us-east-2.queue.amazonaws.com/123456789012/q1.fifo",
            "arn:aws:sqs:us-east-2:123456789012:q1.fifo",
            id="legacy-host",
        ),
        pytest.param("https://example.com/123456789012/q1", None, id="not-sqs"),
        pytest.param(
            "https://sqs.us-east-2.amazonaws.com/12345/q1", None, id="short-account"
        ),
    ],
)
def test_queue_urls_become_arns(url: str, expected: str | None) -> None:
    assert queue_url_arn(url, "aws") == expected


@pytest.mark.parametrize(
    ("arn", "matches"),
    [
        pytest.param("arn:aws:ec2:us-east-1:1:instance/i-1", True, id="instance"),
        pytest.param("arn:aws:ec2:us-east-1:1:volume/v-1", False, id="volume"),
        pytest.param("arn:aws:ec2:us-east-1:1:instance/", False, id="empty-id"),
    ],
)
def test_arn_format_patterns(arn: str, matches: bool) -> None:
    pattern = format_pattern(
        "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"
    )

    assert bool(pattern.fullmatch(arn)) is matches
