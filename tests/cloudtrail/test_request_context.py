"""The request context keys a record supplies, with AWS's spelling."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.cloudtrail import build_request
from cloudtrail_records import ROLE_ARN, make_record

USER_IDENTITY = {
    "type": "IAMUser",
    "principalId": "AIDAEXAMPLE",
    "arn": "arn:aws:iam::111122223333:user/alice",
    "accountId": "111122223333",
    "userName": "alice",
}


def context_of(**members: Any) -> dict[str, Any]:
    """The context of a record with some members replaced."""
    return dict(build_request(make_record(**members)).context)


def test_assumed_role_context() -> None:
    context = context_of(
        tlsDetails={"tlsVersion": "TLSv1.3"}, vpcEndpointId="vpce-0123456789abcdef0"
    )

    assert context == {
        "aws:SourceIp": "198.51.100.7",
        "aws:SourceVpce": "vpce-0123456789abcdef0",
        "aws:RequestedRegion": "us-east-1",
        "aws:CurrentTime": "2024-05-01T10:30:00Z",
        "aws:EpochTime": "1714559400",
        "aws:UserAgent": "aws-cli/2.15",
        "aws:PrincipalArn": ROLE_ARN,
        "aws:PrincipalAccount": "111122223333",
        "aws:PrincipalType": "AssumedRole",
        "aws:PrincipalIsAWSService": "false",
        "aws:userid": "AROAEXAMPLE:session-1",
        "aws:TokenIssueTime": "2024-05-01T10:00:00Z",
        "aws:MultiFactorAuthPresent": "false",
        "aws:ViaAWSService": "false",
        "aws:SecureTransport": "true",
    }


def test_iam_user_gets_username_and_its_own_arn() -> None:
    context = context_of(userIdentity=USER_IDENTITY)

    assert context["aws:username"] == "alice"
    assert context["aws:PrincipalArn"] == "arn:aws:iam::111122223333:user/alice"
    assert context["aws:PrincipalType"] == "User"
    assert "aws:MultiFactorAuthPresent" not in context


def test_session_has_no_username() -> None:
    assert "aws:username" not in context_of()


@pytest.mark.parametrize(
    ("address", "present"),
    [
        pytest.param("203.0.113.9", True, id="ipv4"),
        pytest.param("2001:db8::1", True, id="ipv6"),
        pytest.param("cloudformation.amazonaws.com", False, id="service-name"),
        pytest.param("AWS Internal", False, id="internal"),
        pytest.param("255.18.064.253", False, id="leading-zero"),
    ],
)
def test_source_ip_only_for_addresses(address: str, present: bool) -> None:
    context = context_of(sourceIPAddress=address)

    assert ("aws:SourceIp" in context) is present


def test_called_via_service() -> None:
    identity = {**USER_IDENTITY, "invokedBy": "cloudformation.amazonaws.com"}

    context = context_of(userIdentity=identity)

    assert context["aws:ViaAWSService"] == "true"
    assert context["aws:CalledVia"] == ("cloudformation.amazonaws.com",)


def test_mfa_age_from_session_creation() -> None:
    record = make_record()
    record["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] = "true"

    context = build_request(record).context

    assert context["aws:MultiFactorAuthPresent"] == "true"
    assert context["aws:MultiFactorAuthAge"] == "1800"


def test_no_tls_details_means_secure_transport_unknown() -> None:
    assert "aws:SecureTransport" not in context_of(tlsDetails=None)


def test_resource_account_key_where_the_record_says() -> None:
    resources = [{"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b", "accountId": "4"}]

    context = context_of(eventName="ListObjects", resources=resources)

    assert context["aws:ResourceAccount"] == "4"


def test_anonymous_context() -> None:
    context = context_of(
        userIdentity={"type": "AWSAccount", "accountId": "ANONYMOUS_PRINCIPAL"}
    )

    assert context["aws:PrincipalType"] == "Anonymous"
    assert context["aws:userid"] == "anonymous"
    assert "aws:PrincipalArn" not in context


@pytest.mark.parametrize(
    "event_time",
    ["yesterday", "2024-13-45", 1714559400, {"t": 1}, None],
)
def test_bad_event_time_leaves_time_keys_out(event_time: Any) -> None:
    context = context_of(eventTime=event_time)

    assert "aws:EpochTime" not in context
