"""A small organization written as the files a user has, for the analyze tests.

Accounts: REQUESTER and OTHER_MEMBER are members (OU Workloads), MANAGEMENT is the
management account. Role `app` of REQUESTER may read `shared-bucket/*`. The root
carries FullAWSAccess, RCPFullAWSAccess and the RCP `DenyReadsAcrossAccounts`
(deny s3:GetObject where the caller's account is not the resource's).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from access_undenied.analyze import Analyzer
from access_undenied.snapshot import Snapshot
from access_undenied.snapshot.from_files import build_from_files

ORG = "o-testorg0001"
REQUESTER, OTHER_MEMBER, MANAGEMENT = "100000000001", "100000000002", "999999999999"
BUCKET = "arn:aws:s3:::shared-bucket"
OBJECT = BUCKET + "/reports/q3.csv"
ROLE = f"arn:aws:iam::{REQUESTER}:role/app"
SESSION = f"arn:aws:sts::{REQUESTER}:assumed-role/app/worker-1"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def role_entry(account: str, name: str, *inline: dict[str, Any], **extra: Any) -> Any:
    """A RoleDetailList entry with inline policies."""
    return {
        "RoleName": name,
        "RoleId": f"AROA{account}{name.upper()[:5]}".ljust(21, "X"),
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "Path": extra.pop("path", "/"),
        "AssumeRolePolicyDocument": doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        "RolePolicyList": [
            {"PolicyName": f"inline-{i}", "PolicyDocument": p}
            for i, p in enumerate(inline)
        ],
        "AttachedManagedPolicies": extra.pop("attached", []),
        "Tags": extra.pop("tags", []),
        **extra,
    }


def details(account: str, roles: list[Any], policies: list[Any] | None = None) -> Any:
    """A get-account-authorization-details document."""
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": roles,
        "Policies": policies or [],
    }


def org_policy(pid: str, document: dict[str, Any], rcp: bool = False) -> Any:
    """An SCP or RCP entry of the organization file."""
    kind = "resource_control_policy" if rcp else "service_control_policy"
    return {
        "Id": pid,
        "Arn": f"arn:aws:organizations::{MANAGEMENT}:policy/{ORG}/{kind}/{pid}",
        "Name": pid,
        "Description": "",
        "Type": "RESOURCE_CONTROL_POLICY" if rcp else "SERVICE_CONTROL_POLICY",
        "AwsManaged": False,
        "PolicyDocument": json.dumps(document),
    }


FULL = org_policy("p-full", doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
RCP_FULL = org_policy(
    "p-rcpfull",
    doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    rcp=True,
)
DENY_ACROSS = org_policy(
    "p-across",
    doc(
        {
            "Sid": "DenyReadsAcrossAccounts",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {
                "StringNotEqualsIfExists": {
                    "aws:PrincipalAccount": "${aws:ResourceAccount}"
                }
            },
        }
    ),
    rcp=True,
)


def node(ident: str, kind: str, parent: str | None, policies: list[Any]) -> Any:
    """One node of the organization file."""
    container = "Organizational Unit or Organization Root"
    return {
        "arn": f"arn:aws:organizations::{MANAGEMENT}:{kind}/{ORG}/{ident}",
        "id": ident,
        "name": ident,
        "organization_node_type": "AWSAccount" if kind == "account" else container,
        "parent": parent,
        "policies": policies,
    }


def organization(extra_ou_policies: list[Any] | None = None) -> Any:
    """The organization file."""
    return {
        "r-root": node("r-root", "root", None, [FULL, RCP_FULL, DENY_ACROSS]),
        "ou-work": node(
            "ou-work", "ou", "r-root", [FULL, RCP_FULL, *(extra_ou_policies or [])]
        ),
        REQUESTER: node(REQUESTER, "account", "ou-work", [FULL, RCP_FULL]),
        OTHER_MEMBER: node(OTHER_MEMBER, "account", "ou-work", [FULL, RCP_FULL]),
        MANAGEMENT: node(MANAGEMENT, "account", "r-root", [FULL, RCP_FULL]),
    }


APP_ROLE = role_entry(
    REQUESTER,
    "app",
    doc(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": BUCKET + "/*",
        }
    ),
)
BUCKET_POLICY = doc(
    {
        "Sid": "PartnerReads",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::100000000003:root"},
        "Action": "s3:GetObject",
        "Resource": BUCKET + "/*",
    }
)


def write_files(
    tmp: Path,
    accounts: dict[str, Any],
    resource_policies: dict[str, Any],
    org: Any = None,
) -> tuple[list[str], str, str]:
    """Write the account details, organization and resource policies files."""
    paths = []
    for account, content in accounts.items():
        path = tmp / f"{account}.json"
        path.write_text(json.dumps(content))
        paths.append(str(path))
    org_path = tmp / "organization.json"
    org_path.write_text(json.dumps(org if org is not None else organization()))
    policies_path = tmp / "resource-policies.json"
    policies_path.write_text(json.dumps(resource_policies))
    return paths, str(org_path), str(policies_path)


def analyzer_for(
    tmp: Path,
    accounts: dict[str, Any],
    resource_policies: dict[str, Any],
    org: Any = None,
) -> Analyzer:
    """An Analyzer over the files written to `tmp`."""
    paths, org_path, policies_path = write_files(tmp, accounts, resource_policies, org)
    document = build_from_files(paths, org_path, policies_path)
    return Analyzer(Snapshot.from_document(document))


def s3_record(
    event_id: str = "e-1",
    key: str = "reports/q3.csv",
    bucket_owner: str | None = None,
    message: str = "Access Denied",
    **extra: Any,
) -> dict[str, Any]:
    """A denied s3:GetObject by the `app` role's session."""
    bucket_entry: dict[str, Any] = {"type": "AWS::S3::Bucket", "ARN": BUCKET}
    if bucket_owner:
        bucket_entry["accountId"] = bucket_owner
    record = {
        "eventVersion": "1.10",
        "eventID": event_id,
        "eventTime": "2026-11-20T10:00:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.22",
        "errorCode": "AccessDenied",
        "errorMessage": message,
        "requestParameters": {"bucketName": "shared-bucket", "key": key},
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAAPP:worker-1",
            "arn": SESSION,
            "accountId": REQUESTER,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAAPP",
                    "arn": ROLE,
                    "accountId": REQUESTER,
                    "userName": "app",
                },
                "attributes": {"mfaAuthenticated": "false"},
            },
        },
        "resources": [
            {"type": "AWS::S3::Object", "ARN": f"{BUCKET}/{key}"},
            bucket_entry,
        ],
        "recipientAccountId": REQUESTER,
    }
    record.update(extra)
    return record
