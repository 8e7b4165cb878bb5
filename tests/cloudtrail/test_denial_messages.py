"""`parse_denial_message`: one row per form of denial-messages.md."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.cloudtrail.messages import (
    DENIAL_ERROR_CODES,
    DenialLayer,
    DenialMessage,
    MessageForm,
    ResourceKind,
    is_denial_code,
    parse_denial_message,
)
from hypothesis import given
from hypothesis import strategies as st

USER = "arn:aws:iam::777788889999:user/JohnDoe"
SESSION = "arn:aws:sts::123456789012:assumed-role/app/i-0abc"
BLOB = "fqhg8CzmasrUP43_LGsSmLVAAoKKY1CzQD3yqW-pWiuZGOcVf2lh"
SCP_ARN = (
    "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/"
    "service_control_policy/p-2kgnabcd"
)
AUTH_ID = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
GO_TO = (
    " Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1"
    f"#/authorization-details/{AUTH_ID} for complete details, or call the "
    "GetRequestAuthorizationDetails API with the following authorization id: "
    f"{AUTH_ID}"
)

# (id, errorCode, errorMessage, expected fields)
FORMS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "explicit-deny-no-layer",
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: lambda:ListFunctions on "
        "resource: * with an explicit deny",
        {
            "form": MessageForm.GENERAL,
            "principal": SESSION,
            "action": "lambda:ListFunctions",
            "resource": "*",
            "layer": None,
            "explicit": True,
        },
    ),
    (
        "explicit-deny-no-layer-no-resource",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: iam:ListUsers with an explicit "
        "deny.",
        {
            "action": "iam:ListUsers",
            "resource": None,
            "layer": None,
            "explicit": True,
        },
    ),
    (
        "explicit-deny-no-layer-arn-resource",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::b/k" with an explicit deny',
        {"resource": "arn:aws:s3:::b/k", "layer": None, "explicit": True},
    ),
    (
        "explicit-deny-scp-no-resource",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: codecommit:ListRepositories "
        "with an explicit deny in a service control policy",
        {
            "form": MessageForm.GENERAL,
            "principal": USER,
            "action": "codecommit:ListRepositories",
            "resource": None,
            "layer": DenialLayer.SCP,
            "explicit": True,
        },
    ),
    (
        "implicit-permissions-boundary",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: codedeploy:ListDeployments "
        "because no permissions boundary allows the codedeploy:ListDeployments "
        "action",
        {
            "action": "codedeploy:ListDeployments",
            "layer": DenialLayer.PERMISSIONS_BOUNDARY,
            "explicit": False,
        },
    ),
    (
        "explicit-resource-based-with-resource",
        "AccessDeniedException",
        f"User: {USER} is not authorized to perform: secretsmanager:GetSecretValue "
        "on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:* with an "
        "explicit deny in a resource-based policy",
        {
            "resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:*",
            "resource_kind": ResourceKind.ARN,
            "layer": DenialLayer.RESOURCE,
            "explicit": True,
        },
    ),
    (
        "vpce-transitively-through-scp-upper-case-prefix",
        "AuthorizationError",
        "User: arn:aws:sts::111122223333:assumed-role/role-name/session is not "
        "authorized to perform: SNS:Publish on resource: "
        "arn:aws:sns:us-east-1:444455556666:topic with an explicit deny in a VPC "
        "endpoint policy transitively through a service control policy",
        {
            "action": "sns:Publish",
            "resource": "arn:aws:sns:us-east-1:444455556666:topic",
            "layer": DenialLayer.VPC_ENDPOINT,
            "explicit": True,
            "transitive_scp": True,
        },
    ),
    (
        "rcp-quoted-resource",
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: s3:PutObject on resource: "
        '"arn:aws:s3:::bucket/key" with an explicit deny in a resource control policy',
        {
            "resource": "arn:aws:s3:::bucket/key",
            "resource_kind": ResourceKind.ARN,
            "layer": DenialLayer.RCP,
        },
    ),
    (
        "identity-policy-an-article",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::b/k" with an explicit deny in an identity-based policy',
        {"layer": DenialLayer.IDENTITY, "explicit": True},
    ),
    (
        "session-policy-the-article",
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::b/k" with an explicit deny in the session policy',
        {"layer": DenialLayer.SESSION, "explicit": True},
    ),
    (
        "sessions-policy-spelling",
        "AccessDenied",
        f"User: {SESSION} is not authorized to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::b/k" because no sessions policy allows the s3:GetObject action',
        {"layer": DenialLayer.SESSION, "explicit": False},
    ),
    (
        "role-trust-policy",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::123456789012:role/r because no role trust policy allows the "
        "sts:AssumeRole action",
        {"layer": DenialLayer.ROLE_TRUST, "explicit": False},
    ),
    (
        "scp-policy-arn",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: ec2:RunInstances with an "
        f"explicit deny in a service control policy: {SCP_ARN}",
        {"layer": DenialLayer.SCP, "explicit": True, "policy_arn": SCP_ARN},
    ),
    (
        "aws-managed-identity-policy-arn",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: iam:CreateUser with an explicit "
        "deny in an identity-based policy: "
        "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
        {
            "layer": DenialLayer.IDENTITY,
            "policy_arn": "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3",
        },
    ),
    (
        "authorization-id-suffix",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: s3:ListBucket on resource: "
        '"arn:aws:s3:::b" because no identity-based policy allows the s3:ListBucket '
        f"action.{GO_TO}",
        {
            "action": "s3:ListBucket",
            "resource": "arn:aws:s3:::b",
            "layer": DenialLayer.IDENTITY,
            "authorization_id": AUTH_ID,
        },
    ),
    (
        "ec2-full-with-encoded-message",
        "Client.UnauthorizedOperation",
        "You are not authorized to perform this operation. User: "
        f"{SESSION} is not authorized to perform: ec2:GetPasswordData on resource: "
        "arn:aws:ec2:us-east-1:123456789012:instance/* because no identity-based "
        "policy allows the ec2:GetPasswordData action. Encoded authorization failure "
        f"message: {BLOB}",
        {
            "form": MessageForm.GENERAL,
            "principal": SESSION,
            "action": "ec2:GetPasswordData",
            "resource": "arn:aws:ec2:us-east-1:123456789012:instance/*",
            "layer": DenialLayer.IDENTITY,
            "explicit": False,
            "encoded_message": BLOB,
            "encoded_truncated": False,
        },
    ),
    (
        "ec2-encoded-only",
        "Client.UnauthorizedOperation",
        "You are not authorized to perform this operation. Encoded authorization "
        f"failure message: {BLOB}",
        {
            "form": MessageForm.EC2_ENCODED_ONLY,
            "action": None,
            "encoded_message": BLOB,
        },
    ),
    (
        "ec2-encoded-truncated",
        "Client.UnauthorizedOperation",
        "You are not authorized to perform this operation. Encoded authorization "
        f"failure message: {BLOB}...",
        {"encoded_message": BLOB, "encoded_truncated": True},
    ),
    (
        "s3-bare-access-denied",
        "AccessDenied",
        "Access Denied",
        {"form": MessageForm.S3_BARE, "action": None, "layer": None},
    ),
    (
        "s3-block-public-policy",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: s3:PutBucketPolicy on resource: "
        '"arn:aws:s3:::b" because public policies are prevented by the '
        "BlockPublicPolicy setting in S3 Block Public Access",
        {
            "form": MessageForm.BLOCK_PUBLIC_ACCESS,
            "action": "s3:PutBucketPolicy",
            "resource": "arn:aws:s3:::b",
            "layer": None,
        },
    ),
    (
        "iam-role-name",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: iam:PassRole on resource: role "
        "deploy-role because no identity-based policy allows the iam:PassRole action",
        {"resource": "deploy-role", "resource_kind": ResourceKind.ROLE_NAME},
    ),
    (
        "iam-access-key",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: iam:UpdateAccessKey on resource: "
        "access key AKIAIOSFODNN7EXAMPLE because no identity-based policy allows the "
        "iam:UpdateAccessKey action",
        {"resource": "AKIAIOSFODNN7EXAMPLE", "resource_kind": ResourceKind.ACCESS_KEY},
    ),
    (
        "iam-access-this-resource",
        "AccessDenied",
        f"User: {USER} is not authorized to access this resource",
        {
            "form": MessageForm.ACCESS_THIS_RESOURCE,
            "principal": USER,
            "resource_kind": ResourceKind.THIS_RESOURCE,
        },
    ),
    (
        "kms-this-resource",
        "AccessDeniedException",
        f"User: {SESSION} is not authorized to perform: kms:GenerateDataKey on this "
        "resource because no identity-based policy allows the kms:GenerateDataKey "
        "action",
        {
            "action": "kms:GenerateDataKey",
            "resource": None,
            "resource_kind": ResourceKind.THIS_RESOURCE,
            "layer": DenialLayer.IDENTITY,
        },
    ),
    (
        "sts-assume-role-no-reason",
        "AccessDenied",
        f"User: {USER} is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::123456789012:role/target",
        {
            "action": "sts:AssumeRole",
            "resource": "arn:aws:iam::123456789012:role/target",
            "layer": None,
            "explicit": None,
        },
    ),
    (
        "principal-not-allowed-to-execute",
        "AccessDeniedException",
        f"Principal [{SESSION}] is not allowed to execute [lambda:InvokeFunction] on "
        "the resource",
        {
            "form": MessageForm.PRINCIPAL_NOT_ALLOWED,
            "principal": SESSION,
            "action": "lambda:InvokeFunction",
        },
    ),
    (
        "access-to-the-resource-is-denied",
        "AccessDenied",
        "Access to the resource https://sqs.us-east-1.amazonaws.com/123456789012/q "
        "is denied.",
        {
            "form": MessageForm.ACCESS_TO_RESOURCE_DENIED,
            "resource": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
            "resource_kind": ResourceKind.TEXT,
        },
    ),
    (
        "not-authorized-to-access-resource",
        "Forbidden",
        "Not authorized to access resource arn:aws:execute-api:us-east-1:1:a/b",
        {
            "form": MessageForm.NOT_AUTHORIZED_FOR_RESOURCE,
            "resource": "arn:aws:execute-api:us-east-1:1:a/b",
            "resource_kind": ResourceKind.ARN,
        },
    ),
    (
        "no-access-to-any-requested-resource",
        "AccessDeniedException",
        "No access to any requested resource",
        {"form": MessageForm.NO_ACCESS_TO_ANY_RESOURCE},
    ),
    (
        "vpc-endpoint-network-activity",
        "VpceAccessDenied",
        "The request was denied due to a VPC endpoint policy",
        {"form": MessageForm.VPC_ENDPOINT_DENIED, "layer": DenialLayer.VPC_ENDPOINT},
    ),
    ("empty-message", "AccessDenied", "", {"form": MessageForm.EMPTY}),
    (
        "empty-vpce-message",
        "VpceAccessDenied",
        "",
        {"form": MessageForm.EMPTY, "layer": DenialLayer.VPC_ENDPOINT},
    ),
    (
        "invalid-request-cross-account-pass-role",
        "AccessDenied",
        "Cross-account pass role is not allowed.",
        {"form": MessageForm.INVALID_REQUEST, "action": None},
    ),
    (
        "invalid-request-service-principal",
        "AccessDenied",
        "lambda.amazonaws.co is not a valid AWS service name (Service Principal)",
        {"form": MessageForm.INVALID_REQUEST},
    ),
    (
        "unknown-form",
        "AccessDenied",
        "Something else entirely went wrong for arn:aws:s3:::b",
        {"form": MessageForm.UNKNOWN, "principal": None, "action": None},
    ),
]


@pytest.mark.parametrize(
    ("error_code", "message", "expected"),
    [pytest.param(code, text, fields, id=name) for name, code, text, fields in FORMS],
)
def test_each_form_parses_into_its_fields(
    error_code: str, message: str, expected: dict[str, Any]
) -> None:
    parsed = parse_denial_message(error_code, message)

    actual = {name: getattr(parsed, name) for name in expected}
    assert actual == expected


def test_unknown_form_gives_no_fields() -> None:
    parsed = parse_denial_message("AccessDenied", "The moon is made of cheese")

    assert parsed == DenialMessage(form=MessageForm.UNKNOWN)


def test_a_tampered_layer_phrase_is_not_recognised() -> None:
    message = (
        f"User: {USER} is not authorized to perform: s3:GetObject with an explicit "
        "deny in a service contrOl policy"
    )

    assert parse_denial_message("AccessDenied", message).layer is None


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("User: " + "a" * 50_000, id="long-principal"),
        pytest.param("User: x is not authorized to perform: " * 2_000, id="repeats"),
        pytest.param("Principal [" + "[" * 50_000, id="brackets"),
        pytest.param("Access to the resource " + "a " * 30_000, id="spaces"),
        pytest.param(
            "You are not authorized to perform this operation. "
            "Encoded authorization failure message: " + "A" * 100_000,
            id="huge-blob",
        ),
    ],
)
@pytest.mark.timeout(10)
def test_hostile_messages_parse_without_backtracking(message: str) -> None:
    # A backtracking regex would run for minutes on these; the timeout stops it.
    parsed = parse_denial_message("AccessDenied", message)

    assert isinstance(parsed, DenialMessage)


@given(st.text(max_size=2000))
def test_any_text_parses_without_raising(message: str) -> None:
    parsed = parse_denial_message("AccessDenied", message)

    assert isinstance(parsed, DenialMessage)


@pytest.mark.parametrize("code", sorted(DENIAL_ERROR_CODES))
def test_denial_codes_are_denials(code: str) -> None:
    assert is_denial_code(code)


@pytest.mark.parametrize(
    "code", ["NoSuchEntity", "ValidationException", "ThrottlingException", "", None]
)
def test_other_codes_are_not_denials(code: str | None) -> None:
    assert not is_denial_code(code)
