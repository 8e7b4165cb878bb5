"""Where moto falls short, botocore's Stubber: paginated authorization details and
a user permissions boundary (moto has no `put_user_permissions_boundary`)."""

from __future__ import annotations

import io
import json
import urllib.parse
from typing import Any

import pytest
from access_undenied.snapshot import PolicyType, Snapshot
from access_undenied.snapshot.collect_aws import (
    CallRecorder,
    ErrorKind,
    ErrorLog,
    classify_error,
)
from access_undenied.snapshot.collect_services import DETAIL_FILTER, collect_iam
from access_undenied.snapshot.from_files import new_document
from access_undenied.snapshot.progress import Progress

ACCOUNT = "444455556666"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


class StubbedClients:
    """Stands in for AccountClients: hands out the one stubbed IAM client."""

    def __init__(self, client: Any) -> None:
        self.account_id = ACCOUNT
        self._client = client

    def client(self, service: str, region: str | None = None) -> Any:
        assert service == "iam"
        return self._client


def first_page() -> dict[str, Any]:
    user = {
        "UserName": "bob",
        "UserId": "AIDABOB0000000000000",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/bob",
        "Path": "/",
        "UserPolicyList": [],
        "GroupList": [],
        "AttachedManagedPolicies": [],
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": BOUNDARY,
        },
    }
    return {"UserDetailList": [user], "IsTruncated": True, "Marker": "page-2"}


def second_page() -> dict[str, Any]:
    policy = {
        "PolicyName": "boundary",
        "Arn": BOUNDARY,
        "DefaultVersionId": "v1",
        "PolicyVersionList": [
            {
                "Document": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A"
                "%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C"
                "%22Resource%22%3A%22%2A%22%7D%5D%7D",
                "VersionId": "v1",
                "IsDefaultVersion": True,
            },
        ],
    }
    return {"Policies": [policy], "IsTruncated": False}


def test_pages_merge_and_user_boundary_is_found() -> None:
    import boto3
    from botocore.stub import Stubber

    iam = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("iam")
    with Stubber(iam) as stubber:
        stubber.add_response(
            "get_account_authorization_details",
            first_page(),
            {"Filter": DETAIL_FILTER},
        )
        stubber.add_response(
            "get_account_authorization_details",
            second_page(),
            {"Filter": DETAIL_FILTER, "Marker": "page-2"},
        )
        log = ErrorLog.empty()
        clients: Any = StubbedClients(iam)
        section = collect_iam(clients, CallRecorder(log, ACCOUNT, None))
        stubber.assert_no_pending_responses()

    assert log.entries == []
    assert section is not None
    document = new_document({"method": "collect"}, {ACCOUNT: section}, None, {})
    user = Snapshot.from_document(document).principal(
        f"arn:aws:iam::{ACCOUNT}:user/bob"
    )
    assert user is not None and user.permissions_boundary is not None
    assert user.permissions_boundary.policy_type is PolicyType.PERMISSIONS_BOUNDARY
    assert user.permissions_boundary.document == ALLOW_ALL


def test_denied_details_are_recorded() -> None:
    import boto3
    from botocore.stub import Stubber

    iam = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("iam")
    with Stubber(iam) as stubber:
        stubber.add_client_error(
            "get_account_authorization_details", "AccessDenied", "not authorized"
        )
        log = ErrorLog.empty()
        clients: Any = StubbedClients(iam)
        section = collect_iam(clients, CallRecorder(log, ACCOUNT, None))

    assert section is None
    assert [(e["service"], e["error_code"]) for e in log.entries] == [
        ("iam", "AccessDenied")
    ]


@pytest.mark.parametrize(
    ("service", "operation", "code", "kind"),
    [
        ("s3", "GetBucketPolicy", "NoSuchBucketPolicy", ErrorKind.ABSENT),
        ("lambda", "GetPolicy", "ResourceNotFoundException", ErrorKind.ABSENT),
        (
            "secretsmanager",
            "GetResourcePolicy",
            "ResourceNotFoundException",
            ErrorKind.FAILED,
        ),
        (
            "ecr",
            "GetRepositoryPolicy",
            "RepositoryPolicyNotFoundException",
            ErrorKind.ABSENT,
        ),
        ("kms", "ListKeys", "AccessDeniedException", ErrorKind.DENIED),
        ("sts", "AssumeRole", "AccessDenied", ErrorKind.DENIED),
        ("iam", "GetAccountAuthorizationDetails", "Throttling", ErrorKind.THROTTLED),
        ("s3", "GetBucketPolicy", "AccessDenied", ErrorKind.DENIED),
        ("sqs", "ListQueues", "InternalError", ErrorKind.FAILED),
    ],
    ids=[
        "no-bucket-policy",
        "no-function-policy",
        "secret-gone-is-not-absent",
        "no-repository-policy",
        "kms-denied",
        "assume-denied",
        "throttled",
        "bucket-policy-denied",
        "other",
    ],
)
def test_errors_are_classified_by_code(
    service: str, operation: str, code: str, kind: ErrorKind
) -> None:
    assert classify_error(service, operation, code) is kind


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("tty", [True, False], ids=["terminal", "pipe"])
def test_progress_bar_only_on_a_terminal(tty: bool) -> None:
    stream = Terminal() if tty else io.StringIO()
    progress = Progress("collecting", stream)
    progress.add(4)
    for _ in range(4):
        progress.advance()
    progress.close()

    text = stream.getvalue()
    if not tty:
        assert text == ""
        return
    assert text.endswith("collecting [" + "#" * 30 + "] 4/4\n")
    assert "] 2/4" in text


def test_boundary_not_listed_is_read_with_get_policy() -> None:
    import boto3
    from botocore.stub import Stubber

    aws_policy = "arn:aws:iam::aws:policy/PowerUserAccess"
    encoded = urllib.parse.quote(json.dumps(ALLOW_ALL))
    role: dict[str, Any] = {
        "RoleName": "builder",
        "RoleId": "AROABUILDER000000000",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/builder",
        "Path": "/",
        "AssumeRolePolicyDocument": encoded,
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": aws_policy,
        },
    }
    iam = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
    ).client("iam")
    with Stubber(iam) as stubber:
        stubber.add_response(
            "get_account_authorization_details",
            {"RoleDetailList": [role], "Policies": [], "IsTruncated": False},
            {"Filter": DETAIL_FILTER},
        )
        stubber.add_response(
            "get_policy",
            {
                "Policy": {
                    "PolicyName": "PowerUserAccess",
                    "Arn": aws_policy,
                    "DefaultVersionId": "v7",
                }
            },
            {"PolicyArn": aws_policy},
        )
        stubber.add_response(
            "get_policy_version",
            {"PolicyVersion": {"Document": encoded, "VersionId": "v7"}},
            {"PolicyArn": aws_policy, "VersionId": "v7"},
        )
        log = ErrorLog.empty()
        clients: Any = StubbedClients(iam)
        section = collect_iam(clients, CallRecorder(log, ACCOUNT, None))
        stubber.assert_no_pending_responses()

    assert log.entries == [] and section is not None
    document = new_document({"method": "collect"}, {ACCOUNT: section}, None, {})
    record = Snapshot.from_document(document).principal(role["Arn"])
    assert record is not None and record.missing_policies == ()
    assert record.permissions_boundary is not None
    assert record.permissions_boundary.aws_managed
    assert record.permissions_boundary.document == ALLOW_ALL
