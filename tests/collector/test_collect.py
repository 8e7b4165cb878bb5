"""`collect` through role assumption captures the moto organization whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_undenied.snapshot import PolicyType, PrincipalKind, Snapshot
from access_undenied.snapshot.collect import CollectOptions, collect_snapshot
from moto_world import TRUST, World
from moto_world import document as allow_document

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def collected(world: World) -> Snapshot:
    import boto3

    document = collect_snapshot(
        boto3.Session(region_name="us-east-1"), CollectOptions(all_accounts=True)
    )
    return Snapshot.from_document(json.loads(json.dumps(document)))


def test_every_account_and_no_errors(collected: Snapshot, world: World) -> None:
    assert collected.account_ids == world.accounts
    assert collected.collection_errors == ()
    assert collected.source["method"] == "collect"


def test_user_with_group_policies(collected: Snapshot, world: World) -> None:
    for account in world.accounts:
        user = collected.principal(f"arn:aws:iam::{account}:user/alice")
        assert user is not None and user.kind is PrincipalKind.USER
        kinds = {(p.name, p.policy_type) for p in user.identity_policies}
        assert kinds == {
            ("alice-inline", PolicyType.INLINE),
            ("group-inline", PolicyType.GROUP_INLINE),
            ("shared-read", PolicyType.GROUP_MANAGED),
        }
        assert user.tags == {"team": "red"}
        assert user.missing_policies == ()
        shared = next(p for p in user.identity_policies if p.name == "shared-read")
        assert shared.document["Statement"][0]["Resource"] == "arn:aws:s3:::data/*"
        assert shared.attachment_target_arn == (
            f"arn:aws:iam::{account}:group/developers"
        )


def test_role_with_boundary_and_trust_policy(collected: Snapshot, world: World) -> None:
    role = collected.principal(f"arn:aws:sts::{world.prod}:assumed-role/app/s1")
    assert role is not None
    assert role.arn == f"arn:aws:iam::{world.prod}:role/service/app"
    assert role.tags == {"owner": world.prod}
    assert role.trust_policy is not None and role.trust_policy.document == TRUST
    assert role.permissions_boundary is not None
    assert role.permissions_boundary.name == "boundary"
    assert role.permissions_boundary.document["Statement"][0]["Action"] == "s3:*"
    assert {(p.name, p.policy_type) for p in role.identity_policies} == {
        ("app-inline", PolicyType.INLINE),
        ("shared-read", PolicyType.MANAGED),
    }
    assert collected.principal_by_id(role.unique_id) == role


def test_organization_paths_with_scps_and_rcps(
    collected: Snapshot, world: World
) -> None:
    organization = collected.organization
    assert organization is not None
    assert organization.management_account_id == world.management
    assert organization.account_ids == world.accounts

    path = organization.path(world.prod)
    assert [node.id for node in path] == [
        world.root_id,
        world.ou_ids["workloads"],
        world.ou_ids["prod"],
        world.prod,
    ]
    own_scps = [{p.name for p in n.scps if not p.aws_managed} for n in path]
    assert own_scps == [
        {"scp-root"},
        {"scp-workloads"},
        {"scp-prod"},
        {"scp-prod-account"},
    ]
    assert {p.name for p in path[2].rcps if not p.aws_managed} == {"rcp-prod"}
    assert path[2].rcps[0].policy_type is PolicyType.RCP
    assert "FullAWSAccess" in {p.name for p in path[0].scps}
    assert [n.id for n in organization.path(world.dev)] == [
        world.root_id,
        world.ou_ids["workloads"],
        world.dev,
    ]


RESOURCE_TYPES = {
    "s3-prod": "AWS::S3::Bucket",
    "s3-mgmt": "AWS::S3::Bucket",
    "kms": "AWS::KMS::Key",
    "sqs": "AWS::SQS::Queue",
    "sns": "AWS::SNS::Topic",
    "secretsmanager": "AWS::SecretsManager::Secret",
    "lambda": "AWS::Lambda::Function",
    "ecr": "AWS::ECR::Repository",
}


@pytest.mark.parametrize("name", sorted(RESOURCE_TYPES), ids=sorted(RESOURCE_TYPES))
def test_resource_policy_with_owner(
    collected: Snapshot, world: World, name: str
) -> None:
    arn = world.resources[name]
    record = collected.resource_policy(arn)
    assert record is not None
    owner = world.management if name == "s3-mgmt" else world.prod
    assert record.account_id == owner
    assert collected.owner_account(arn) == owner
    assert record.resource_type == RESOURCE_TYPES[name]
    assert record.policy.document["Statement"]


def test_bucket_object_and_public_access_block(
    collected: Snapshot, world: World
) -> None:
    assert collected.owner_account("arn:aws:s3:::prod-data/reports/x.csv") == world.prod
    prod = collected.resource_policy("arn:aws:s3:::prod-data")
    mgmt = collected.resource_policy("arn:aws:s3:::mgmt-data")
    assert prod is not None and mgmt is not None
    assert prod.public_access_block is not None
    assert prod.public_access_block["BlockPublicPolicy"] is True
    assert mgmt.public_access_block is not None
    assert mgmt.public_access_block["BlockPublicPolicy"] is False


def test_single_account_by_default(session: Any, world: World) -> None:
    document = collect_snapshot(session)
    assert list(document["accounts"]) == [world.management]
    assert set(document["resource_policies"]) == {"arn:aws:s3:::mgmt-data"}
    assert document["organization"] is not None


def test_two_regions_in_parallel(session: Any, world: World) -> None:
    import boto3

    eu_queue = f"arn:aws:sqs:eu-west-1:{world.management}:eu-orders"
    policy = allow_document("sqs:SendMessage", eu_queue, Principal={"AWS": world.dev})
    sqs = boto3.Session(region_name="eu-west-1").client("sqs")
    url = sqs.create_queue(QueueName="eu-orders")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    options = CollectOptions(
        accounts=(world.management, world.prod),
        regions=("us-east-1", "eu-west-1"),
        max_workers=3,
    )

    document = collect_snapshot(session, options)

    expected = {*world.resources.values(), eu_queue}
    assert set(document["resource_policies"]) == expected
    assert document["resource_policies"][eu_queue]["account"] == world.management
    assert document["collection_errors"] == []
    assert document["source"]["regions"] == ["us-east-1", "eu-west-1"]
