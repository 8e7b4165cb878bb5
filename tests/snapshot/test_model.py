"""The loaded snapshot answers lookups by ARN, id and account from its indexes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from access_undenied.snapshot import PolicyType, PrincipalKind, Snapshot
from snapshot_sample import MGMT, ORG, A, B


@pytest.fixture
def snapshot(document: dict[str, Any]) -> Snapshot:
    return Snapshot.from_document(document)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        (f"arn:aws:iam::{A}:user/alice", f"arn:aws:iam::{A}:user/alice"),
        (f"arn:aws:iam::{A}:role/service/app", f"arn:aws:iam::{A}:role/service/app"),
        (f"arn:aws:iam::{A}:role/app", f"arn:aws:iam::{A}:role/service/app"),
        (
            f"arn:aws:sts::{A}:assumed-role/app/session-1",
            f"arn:aws:iam::{A}:role/service/app",
        ),
        (f"arn:aws:sts::{B}:assumed-role/app/session-1", None),
        (f"arn:aws:iam::{A}:user/alic", None),
        (f"arn:aws:iam::{A}:root", None),
        ("not an arn", None),
    ],
    ids=[
        "user",
        "role-with-path",
        "role-without-path",
        "assumed-role-session",
        "session-in-other-account",
        "one-letter-off",
        "account-root",
        "garbage",
    ],
)
def test_principal_lookup(snapshot: Snapshot, arn: str, expected: str | None) -> None:
    found = snapshot.principal(arn)
    assert (found.arn if found else None) == expected


def test_principal_by_unique_id(snapshot: Snapshot) -> None:
    role = snapshot.principal_by_id("AROAAPP:session")
    assert role is not None and role.name == "app"
    assert snapshot.principal_by_id("AROANOPE") is None


def test_user_has_own_group_and_managed_policies(snapshot: Snapshot) -> None:
    user = snapshot.principal(f"arn:aws:iam::{A}:user/alice")
    assert user is not None and user.kind is PrincipalKind.USER

    by_id = {p.policy_id: p for p in user.identity_policies}
    assert set(by_id) == {
        f"arn:aws:iam::{A}:user/alice/own",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        f"arn:aws:iam::{A}:group/devs/g",
        f"arn:aws:iam::{A}:policy/shared",
    }
    shared = by_id[f"arn:aws:iam::{A}:policy/shared"]
    assert shared.policy_type is PolicyType.GROUP_MANAGED
    assert shared.attachment_target_arn == f"arn:aws:iam::{A}:group/devs"
    assert shared.document["Statement"][0]["Action"] == "sns:Publish"
    aws = by_id["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    assert aws.policy_type is PolicyType.AWS_MANAGED and aws.aws_managed
    inline = by_id[f"arn:aws:iam::{A}:user/alice/own"]
    assert inline.arn == f"arn:aws:iam::{A}:user/alice"
    assert inline.policy_type is PolicyType.INLINE
    assert by_id[f"arn:aws:iam::{A}:group/devs/g"].policy_type is (
        PolicyType.GROUP_INLINE
    )

    assert user.tags == {"team": "red"}
    assert user.group_arns == (f"arn:aws:iam::{A}:group/devs",)
    assert user.missing_policies == (f"group ghosts of account {A}",)
    assert user.trust_policy is None and user.permissions_boundary is None


def test_role_boundary_trust_and_missing_policy(snapshot: Snapshot) -> None:
    role = snapshot.principal(f"arn:aws:sts::{A}:assumed-role/app/s")
    assert role is not None and role.kind is PrincipalKind.ROLE
    assert role.path == "/service/"
    assert role.permissions_boundary is not None
    assert role.permissions_boundary.policy_type is PolicyType.PERMISSIONS_BOUNDARY
    assert role.permissions_boundary.document["Statement"][0]["Action"] == "*"
    assert role.trust_policy is not None
    assert role.trust_policy.policy_type is PolicyType.TRUST_POLICY
    assert [p.name for p in role.identity_policies] == ["shared"]
    assert role.missing_policies == (f"arn:aws:iam::{A}:policy/gone",)


def test_default_version_is_used(snapshot: Snapshot) -> None:
    policy = snapshot.managed_policy(f"arn:aws:iam::{A}:policy/shared")
    assert policy is not None
    assert policy.document["Statement"][0]["Action"] == "sns:Publish"


def test_records_are_cached_and_frozen(snapshot: Snapshot) -> None:
    first = snapshot.principal(f"arn:aws:iam::{A}:user/alice")
    assert first is snapshot.principal(f"arn:aws:iam::{A}:user/alice")
    with pytest.raises(AttributeError):
        first.name = "mallory"  # type: ignore[misc, union-attr]
    assert hash(first) == hash(first)


@pytest.mark.parametrize(
    ("arn", "bucket_or_arn", "owner"),
    [
        ("arn:aws:s3:::shared-bucket", "arn:aws:s3:::shared-bucket", B),
        ("arn:aws:s3:::shared-bucket/a/b.txt", "arn:aws:s3:::shared-bucket", B),
        ("arn:aws:s3:::nobody-knows/x", "arn:aws:s3:::nobody-knows", None),
        (f"arn:aws:sqs:us-east-1:{A}:queue", f"arn:aws:sqs:us-east-1:{A}:queue", A),
        ("arn:aws:s3:::shared-bucke", None, None),
        (f"arn:aws:sqs:us-east-1:{B}:other", None, B),
    ],
    ids=[
        "bucket",
        "object-finds-bucket",
        "owner-unknown",
        "queue",
        "one-letter-off",
        "not-in-snapshot-owner-from-arn",
    ],
)
def test_resource_policy_and_owner(
    snapshot: Snapshot, arn: str, bucket_or_arn: str | None, owner: str | None
) -> None:
    record = snapshot.resource_policy(arn)
    assert (record.arn if record else None) == bucket_or_arn
    assert snapshot.owner_account(arn) == owner


def test_bucket_policy_record(snapshot: Snapshot) -> None:
    record = snapshot.resource_policy("arn:aws:s3:::shared-bucket")
    assert record is not None
    assert record.account_id == B
    assert record.resource_type == "AWS::S3::Bucket"
    assert record.public_access_block == {"BlockPublicPolicy": True}
    assert record.policy.policy_type is PolicyType.RESOURCE_POLICY
    assert record.policy.attachment_target_arn == "arn:aws:s3:::shared-bucket"


def test_organization_path_root_first(snapshot: Snapshot) -> None:
    organization = snapshot.organization
    assert organization is not None
    assert organization.id == ORG
    assert organization.management_account_id == MGMT

    path = organization.path(A)
    assert [n.id for n in path] == ["r-root", "ou-outer", "ou-inner", A]
    assert [[p.name for p in n.scps] for n in path] == [
        ["p-full"],
        ["p-outer"],
        [],
        ["p-acct"],
    ]
    assert [[p.name for p in n.rcps] for n in path] == [[], [], ["p-rcp"], []]
    assert path[-1].is_account and not path[0].is_account
    assert path[2].rcps[0].attachment_target_arn == path[2].arn
    assert [n.id for n in organization.path(B)] == ["r-root", B]


@pytest.mark.parametrize(
    ("account_id", "member"),
    [(A, True), (MGMT, True), ("333333333333", False), ("ou-inner", False)],
    ids=["member", "management", "outsider", "ou-is-not-an-account"],
)
def test_organization_contains(
    snapshot: Snapshot, account_id: str, member: bool
) -> None:
    organization = snapshot.organization
    assert organization is not None
    assert organization.contains(account_id) is member
    assert bool(organization.path(account_id)) is member


def test_metadata(snapshot: Snapshot) -> None:
    assert snapshot.created_at == datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    assert snapshot.source["method"] == "files"
    assert snapshot.account_ids == (A, B)
    assert snapshot.accounts[A].role_arns == (f"arn:aws:iam::{A}:role/service/app",)
    assert snapshot.collection_errors == ()


def test_no_organization(document: dict[str, Any]) -> None:
    document["organization"] = None
    assert Snapshot.from_document(document).organization is None
