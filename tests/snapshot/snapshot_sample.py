"""A small snapshot document: two accounts, an organization, resource policies."""

from __future__ import annotations

from typing import Any

A = "111111111111"
B = "222222222222"
MGMT = "999999999999"
ORG = "o-abcdefghij"


def document_of(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document holding the given statements."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str, resource: str = "*") -> dict[str, Any]:
    """An Allow statement."""
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def managed(arn: str, name: str, statement: dict[str, Any]) -> dict[str, Any]:
    """A `Policies` entry with one default version."""
    return {
        "PolicyName": name,
        "PolicyId": "ANPA" + name.upper(),
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v2",
        "PolicyVersionList": [
            {
                "Document": document_of(allow("old:Action")),
                "VersionId": "v1",
                "IsDefaultVersion": False,
            },
            {
                "Document": document_of(statement),
                "VersionId": "v2",
                "IsDefaultVersion": True,
            },
        ],
    }


TRUST = document_of(
    {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
)


def account_a() -> dict[str, Any]:
    """Account A: a user in a group, a role with a path and a boundary."""
    return {
        "UserDetailList": [
            {
                "UserName": "alice",
                "UserId": "AIDAALICE",
                "Arn": f"arn:aws:iam::{A}:user/alice",
                "Path": "/",
                "UserPolicyList": [
                    {
                        "PolicyName": "own",
                        "PolicyDocument": document_of(allow("s3:GetObject")),
                    }
                ],
                "GroupList": ["devs", "ghosts"],
                "AttachedManagedPolicies": [
                    {
                        "PolicyName": "ReadOnlyAccess",
                        "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    }
                ],
                "Tags": [{"Key": "team", "Value": "red"}],
            }
        ],
        "GroupDetailList": [
            {
                "GroupName": "devs",
                "GroupId": "AGPADEVS",
                "Arn": f"arn:aws:iam::{A}:group/devs",
                "Path": "/",
                "GroupPolicyList": [
                    {
                        "PolicyName": "g",
                        "PolicyDocument": document_of(allow("sqs:SendMessage")),
                    }
                ],
                "AttachedManagedPolicies": [
                    {
                        "PolicyName": "shared",
                        "PolicyArn": f"arn:aws:iam::{A}:policy/shared",
                    }
                ],
            }
        ],
        "RoleDetailList": [
            {
                "RoleName": "app",
                "RoleId": "AROAAPP",
                "Arn": f"arn:aws:iam::{A}:role/service/app",
                "Path": "/service/",
                "AssumeRolePolicyDocument": TRUST,
                "RolePolicyList": [],
                "AttachedManagedPolicies": [
                    {
                        "PolicyName": "shared",
                        "PolicyArn": f"arn:aws:iam::{A}:policy/shared",
                    },
                    {
                        "PolicyName": "gone",
                        "PolicyArn": f"arn:aws:iam::{A}:policy/gone",
                    },
                ],
                "PermissionsBoundary": {
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": f"arn:aws:iam::{A}:policy/boundary",
                },
                "Tags": [],
            }
        ],
        "Policies": [
            managed(f"arn:aws:iam::{A}:policy/shared", "shared", allow("sns:Publish")),
            managed(f"arn:aws:iam::{A}:policy/boundary", "boundary", allow("*")),
            managed(
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "ReadOnlyAccess",
                allow("s3:List*"),
            ),
        ],
    }


def org_policy(policy_id: str, kind: str, statement: dict[str, Any]) -> dict[str, Any]:
    """An SCP or RCP entry of an organization node."""
    folder = kind.lower()
    return {
        "Id": policy_id,
        "Arn": f"arn:aws:organizations::{MGMT}:policy/{ORG}/{folder}/{policy_id}",
        "Name": policy_id,
        "Description": "",
        "Type": kind,
        "AwsManaged": False,
        "PolicyDocument": document_of(statement),
    }


def node(node_id: str, kind: str, parent: str | None, *policies: Any) -> dict[str, Any]:
    """An organization node in the org-file shape."""
    if kind == "AWSAccount":
        arn = f"arn:aws:organizations::{MGMT}:account/{ORG}/{node_id}"
        node_type = "AWSAccount"
    else:
        noun = "root" if node_id.startswith("r-") else "ou"
        arn = f"arn:aws:organizations::{MGMT}:{noun}/{ORG}/{node_id}"
        node_type = "Organizational Unit or Organization Root"
    return {
        "arn": arn,
        "id": node_id,
        "name": node_id,
        "organization_node_type": node_type,
        "parent": parent,
        "policies": list(policies),
    }


SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


def organization() -> dict[str, Any]:
    """Root -> ou-outer -> ou-inner -> A; root -> B; root -> MGMT."""
    return {
        "id": ORG,
        "management_account_id": MGMT,
        "nodes": {
            "r-root": node(
                "r-root", "root", None, org_policy("p-full", SCP, allow("*"))
            ),
            "ou-outer": node(
                "ou-outer", "ou", "r-root", org_policy("p-outer", SCP, allow("s3:*"))
            ),
            "ou-inner": node(
                "ou-inner", "ou", "ou-outer", org_policy("p-rcp", RCP, allow("*"))
            ),
            A: node(A, "AWSAccount", "ou-inner", org_policy("p-acct", SCP, allow("*"))),
            B: node(B, "AWSAccount", "r-root"),
            MGMT: node(MGMT, "AWSAccount", "r-root"),
        },
    }


def snapshot_document() -> dict[str, Any]:
    """The whole small snapshot document."""
    return {
        "format_version": 1,
        "created_at": "2026-12-01T10:00:00Z",
        "source": {"method": "files", "inputs": ["test"]},
        "accounts": {
            A: account_a(),
            B: {
                "UserDetailList": [],
                "GroupDetailList": [],
                "RoleDetailList": [],
                "Policies": [],
            },
        },
        "organization": organization(),
        "resource_policies": {
            "arn:aws:s3:::shared-bucket": {
                "account": B,
                "resource_type": "AWS::S3::Bucket",
                "policy": document_of(allow("s3:GetObject")),
                "public_access_block": {"BlockPublicPolicy": True},
            },
            "arn:aws:s3:::nobody-knows": {
                "account": None,
                "resource_type": "AWS::S3::Bucket",
                "policy": document_of(allow("s3:GetObject")),
            },
            f"arn:aws:sqs:us-east-1:{A}:queue": {
                "account": A,
                "resource_type": "AWS::SQS::Queue",
                "policy": document_of(allow("sqs:SendMessage")),
            },
        },
        "collection_errors": [],
    }
