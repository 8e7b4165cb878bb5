"""Snapshots built from AWS CLI files, the organization file and resource policies."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from access_undenied.errors import InputError
from access_undenied.snapshot import PolicyType, Snapshot
from access_undenied.snapshot.from_files import build_from_files
from access_undenied.snapshot.organization import (
    organization_file,
    read_organization_file,
)
from snapshot_sample import MGMT, A, B, account_a, allow, document_of, organization


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def url_encoded(document: dict[str, Any]) -> str:
    return urllib.parse.quote(json.dumps(document))


def cli_output_of_a(encode: bool) -> dict[str, Any]:
    """Account A as the CLI prints it; with `encode` as the raw API returns it."""
    details = account_a()
    details["IsTruncated"] = False
    if not encode:
        return details
    role = details["RoleDetailList"][0]
    role["AssumeRolePolicyDocument"] = url_encoded(role["AssumeRolePolicyDocument"])
    inline = details["UserDetailList"][0]["UserPolicyList"][0]
    inline["PolicyDocument"] = url_encoded(inline["PolicyDocument"])
    for policy in details["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = url_encoded(version["Document"])
    return details


@pytest.mark.parametrize("encode", [False, True], ids=["json-objects", "url-encoded"])
def test_account_details_build_the_same_principals(
    tmp_path: Path, encode: bool
) -> None:
    details = write(tmp_path / "a.json", cli_output_of_a(encode))
    snapshot = Snapshot.from_document(build_from_files([details]))

    user = snapshot.principal(f"arn:aws:iam::{A}:user/alice")
    assert user is not None
    assert user.identity_policies[0].document == document_of(allow("s3:GetObject"))
    role = snapshot.principal(f"arn:aws:iam::{A}:role/service/app")
    assert role is not None and role.trust_policy is not None
    assert role.trust_policy.document["Statement"][0]["Action"] == "sts:AssumeRole"
    assert role.permissions_boundary is not None
    versions = snapshot.document["accounts"][A]["Policies"][0]["PolicyVersionList"]
    assert [v["VersionId"] for v in versions] == ["v2"]


def test_managed_policy_without_policy_name_is_named_from_arn(tmp_path: Path) -> None:
    details = account_a()
    del details["Policies"][0]["PolicyName"]
    snapshot = Snapshot.from_document(
        build_from_files([write(tmp_path / "a.json", details)])
    )
    policy = snapshot.managed_policy(f"arn:aws:iam::{A}:policy/shared")
    assert policy is not None and policy.name == "shared"


def test_two_pages_of_one_account_merge(tmp_path: Path) -> None:
    details = account_a()
    first = {**details, "RoleDetailList": [], "IsTruncated": True, "Marker": "m"}
    second = {**details, "UserDetailList": [], "GroupDetailList": [], "Policies": []}
    files = [write(tmp_path / "1.json", first), write(tmp_path / "2.json", second)]
    snapshot = Snapshot.from_document(build_from_files(files))
    assert snapshot.account_ids == (A,)
    assert snapshot.principal(f"arn:aws:iam::{A}:role/service/app") is not None
    assert snapshot.principal(f"arn:aws:iam::{A}:user/alice") is not None


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({}, "no entry names its account"),
        ([], "expected the JSON object"),
        ({"RoleDetailList": {}}, "RoleDetailList must be a list"),
        ({"UserDetailList": [{"UserName": "x"}]}, "must be an object with an Arn"),
        (
            {
                "RoleDetailList": [
                    {**account_a()["RoleDetailList"][0], "RoleName": "a"},
                    {
                        **account_a()["RoleDetailList"][0],
                        "Arn": f"arn:aws:iam::{B}:role/b",
                    },
                ]
            },
            "entries of several accounts",
        ),
        (
            {
                "RoleDetailList": [
                    {
                        **account_a()["RoleDetailList"][0],
                        "AssumeRolePolicyDocument": "%7B",
                    }
                ]
            },
            "AssumeRolePolicyDocument: the policy document is not JSON",
        ),
    ],
    ids=["empty", "not-object", "list-not-list", "no-arn", "two-accounts", "bad-doc"],
)
def test_bad_account_details_are_refused(
    tmp_path: Path, details: Any, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        build_from_files([write(tmp_path / "d.json", details)])


def test_resource_policies_both_forms(tmp_path: Path) -> None:
    policy = document_of(allow("s3:GetObject"))
    path = write(
        tmp_path / "r.json",
        {
            "arn:aws:s3:::short-form": policy,
            "arn:aws:s3:::long-form": {"Account": B, "Policy": policy},
            "arn:aws:s3:::long-form-string": {
                "Account": A,
                "Policy": json.dumps(policy),
            },
            f"arn:aws:sqs:us-east-1:{A}:q": policy,
            f"arn:aws:kms:us-east-1:{A}:key/k": {"Account": MGMT, "Policy": policy},
        },
    )
    snapshot = Snapshot.from_document(build_from_files(resource_policies=path))

    owners = {arn: snapshot.owner_account(arn) for arn in snapshot.resource_arns}
    assert owners == {
        "arn:aws:s3:::short-form": None,
        "arn:aws:s3:::long-form": B,
        "arn:aws:s3:::long-form-string": A,
        f"arn:aws:sqs:us-east-1:{A}:q": A,
        f"arn:aws:kms:us-east-1:{A}:key/k": MGMT,
    }
    record = snapshot.resource_policy("arn:aws:s3:::long-form-string/key")
    assert record is not None and record.policy.document == policy
    assert record.policy.policy_type is PolicyType.RESOURCE_POLICY
    kms = snapshot.resource_policy(f"arn:aws:kms:us-east-1:{A}:key/k")
    assert kms is not None and kms.resource_type == "AWS::KMS::Key"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"arn:aws:s3:::b": {"Account": "12345", "Policy": {}}}, "12-digit"),
        ({"bucket": {"Statement": []}}, "the key is not an ARN"),
        ({"arn:aws:s3:::b": "not json"}, "not JSON"),
        ({"arn:aws:s3:::b": ["a"]}, "must be an object or a string"),
        (["arn:aws:s3:::b"], "keyed by resource ARN"),
    ],
    ids=["short-account", "not-arn", "not-json", "list-value", "list-file"],
)
def test_bad_resource_policies_are_refused(
    tmp_path: Path, content: Any, message: str
) -> None:
    path = write(tmp_path / "r.json", content)
    with pytest.raises(InputError, match=message):
        build_from_files(resource_policies=path)


def test_organization_file_round_trip(tmp_path: Path) -> None:
    file_shape = organization_file(organization())
    assert isinstance(file_shape[A]["policies"][0]["PolicyDocument"], str)
    section = read_organization_file(write(tmp_path / "org.json", file_shape))
    assert section == organization()


def test_earlier_tool_file_loads_as_is(tmp_path: Path) -> None:
    earlier = {
        "r-ab12": {
            "arn": f"arn:aws:organizations::{MGMT}:root/o-zz/r-ab12",
            "id": "r-ab12",
            "name": "Root",
            "organization_node_type": "Organizational Unit or Organization Root",
            "parent": None,
            "policies": [
                {
                    "Id": "p-FullAWSAccess",
                    "Arn": "arn:aws:organizations::aws:policy/service_control_policy/"
                    "p-FullAWSAccess",
                    "Name": "FullAWSAccess",
                    "Description": "Allows access to every operation",
                    "Type": "SERVICE_CONTROL_POLICY",
                    "AwsManaged": True,
                    "PolicyDocument": json.dumps(document_of(allow("*"))),
                }
            ],
        },
        A: {
            "arn": f"arn:aws:organizations::{MGMT}:account/o-zz/{A}",
            "id": A,
            "name": "dev",
            "organization_node_type": "AWSAccount",
            "parent": "r-ab12",
            "policies": [],
        },
    }
    path = write(tmp_path / "scp_data.json", earlier)
    snapshot = Snapshot.from_document(build_from_files(scp_file=path))
    organization_record = snapshot.organization
    assert organization_record is not None
    assert organization_record.id == "o-zz"
    assert organization_record.management_account_id == MGMT
    path_nodes = organization_record.path(A)
    assert [n.id for n in path_nodes] == ["r-ab12", A]
    assert path_nodes[0].scps[0].aws_managed
    assert path_nodes[0].scps[0].document == document_of(allow("*"))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda n: n[A].pop("arn"), "field 'arn' is missing"),
        (lambda n: n[A].update(organization_node_type="OU"), "organization_node_type"),
        (lambda n: n["r-root"]["policies"][0].update(Type="TAG_POLICY"), "TAG_POLICY"),
        (lambda n: n["r-root"]["policies"][0].pop("Id"), "field 'Id' is missing"),
    ],
    ids=["no-arn", "bad-node-type", "tag-policy", "policy-no-id"],
)
def test_bad_organization_file_is_refused(
    tmp_path: Path, mutate: Any, message: str
) -> None:
    nodes = organization_file(organization())
    mutate(nodes)
    path = write(tmp_path / "org.json", nodes)
    with pytest.raises(InputError, match=message):
        read_organization_file(path)
