"""A snapshot built from files made of moto's own answers equals the collected one
in what the analysis uses, and gives the same decisions."""

from __future__ import annotations

import json
import stat
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from access_undenied.cli import main
from access_undenied.snapshot import Snapshot, load_snapshot
from access_undenied.snapshot.organization import read_organization_file
from access_undenied.snapshot.records import ACCOUNT_NODE_TYPE, CONTAINER_NODE_TYPE
from moto_world import REGION, World, session_for

pytestmark = pytest.mark.slow

ORG_POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")


def write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, default=str), encoding="utf-8")
    return path


def url_encode_documents(details: dict[str, Any]) -> None:
    """Turn documents into the URL-encoded text the raw IAM API returns."""
    for role in details["RoleDetailList"]:
        role["AssumeRolePolicyDocument"] = urllib.parse.quote(
            json.dumps(role["AssumeRolePolicyDocument"])
        )
    for user in details["UserDetailList"]:
        for inline in user.get("UserPolicyList", []):
            inline["PolicyDocument"] = urllib.parse.quote(
                json.dumps(inline["PolicyDocument"])
            )
    for policy in details["Policies"]:
        for version in policy["PolicyVersionList"]:
            version["Document"] = urllib.parse.quote(json.dumps(version["Document"]))


def account_details_files(tmp_path: Path, world: World) -> list[Path]:
    paths = []
    for index, account in enumerate(world.accounts):
        iam = session_for(account, world.management).client("iam")
        details = iam.get_account_authorization_details()
        details.pop("ResponseMetadata")
        if index == 0:
            url_encode_documents(details)
        paths.append(write(tmp_path / f"{account}.json", details))
    return paths


def organization_file(tmp_path: Path, world: World) -> Path:
    """The organization file, walked here with moto's Organizations answers."""
    org = session_for(world.management, world.management).client("organizations")
    nodes: dict[str, Any] = {}

    def add(entry: dict[str, Any], parent: str | None, node_type: str) -> None:
        policies = []
        for policy_type in ORG_POLICY_TYPES:
            listed = org.list_policies_for_target(
                TargetId=entry["Id"], Filter=policy_type
            )
            for summary in listed["Policies"]:
                described = org.describe_policy(PolicyId=summary["Id"])["Policy"]
                policies.append({**summary, "PolicyDocument": described["Content"]})
        nodes[entry["Id"]] = {
            "arn": entry["Arn"],
            "id": entry["Id"],
            "name": entry["Name"],
            "organization_node_type": node_type,
            "parent": parent,
            "policies": policies,
        }

    pending = [(org.list_roots()["Roots"][0], None)]
    while pending:
        entry, parent = pending.pop()
        add(entry, parent, CONTAINER_NODE_TYPE)
        units = org.list_organizational_units_for_parent(ParentId=entry["Id"])
        pending += [(unit, entry["Id"]) for unit in units["OrganizationalUnits"]]
        for account in org.list_accounts_for_parent(ParentId=entry["Id"])["Accounts"]:
            add(account, entry["Id"], ACCOUNT_NODE_TYPE)
    return write(tmp_path / "organization.json", nodes)


def resource_policies_file(tmp_path: Path, world: World) -> Path:
    """Both forms: buckets name their owner; the rest carry it in the ARN."""
    policies: dict[str, Any] = {}
    for account in world.accounts:
        session = session_for(account, world.management)
        s3 = session.client("s3")
        for bucket in s3.list_buckets()["Buckets"]:
            name = bucket["Name"]
            policies[f"arn:aws:s3:::{name}"] = {
                "Account": account,
                "Policy": json.loads(s3.get_bucket_policy(Bucket=name)["Policy"]),
                "PublicAccessBlock": s3.get_public_access_block(Bucket=name)[
                    "PublicAccessBlockConfiguration"
                ],
            }
    prod = session_for(world.prod, world.management)
    kms = prod.client("kms")
    key_arn = world.resources["kms"]
    policies[key_arn] = json.loads(
        kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]
    )
    attributes = prod.client("sqs").get_queue_attributes(
        QueueUrl=prod.client("sqs").get_queue_url(QueueName="orders")["QueueUrl"],
        AttributeNames=["Policy"],
    )
    policies[world.resources["sqs"]] = json.loads(attributes["Attributes"]["Policy"])
    topic = prod.client("sns").get_topic_attributes(TopicArn=world.resources["sns"])
    policies[world.resources["sns"]] = json.loads(topic["Attributes"]["Policy"])
    secret = prod.client("secretsmanager").get_resource_policy(
        SecretId=world.resources["secretsmanager"]
    )
    policies[world.resources["secretsmanager"]] = secret["ResourcePolicy"]
    function = prod.client("lambda").get_policy(FunctionName="worker")
    policies[world.resources["lambda"]] = function["Policy"]
    repository = prod.client("ecr").get_repository_policy(repositoryName="images")
    policies[world.resources["ecr"]] = repository["policyText"]
    return write(tmp_path / "resource-policies.json", policies)


@pytest.fixture(scope="module")
def both(world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The collected snapshot file and the file-built one, written by the CLI."""
    tmp_path = tmp_path_factory.mktemp("files")
    collected = tmp_path / "collected.json.gz"
    assert main(["collect", "--output", str(collected), "--all-accounts"]) == 0

    built = tmp_path / "built.json"
    arguments = ["snapshot", "build", "--output", str(built)]
    for path in account_details_files(tmp_path, world):
        arguments += ["--account-details", str(path)]
    arguments += ["--scp-file", str(organization_file(tmp_path, world))]
    arguments += ["--resource-policies", str(resource_policies_file(tmp_path, world))]
    assert main(arguments) == 0
    return {"collected": collected, "built": built, "tmp": tmp_path}


def canonical(document: Any) -> str:
    return json.dumps(document, sort_keys=True)


def essentials(snapshot: Snapshot) -> dict[str, Any]:
    """What the analysis uses: principals, policies, org paths, resource owners."""
    principals = {}
    for principal in snapshot.principals():
        policies = sorted(
            (
                p.policy_id,
                p.policy_type.value,
                p.attachment_target_arn,
                canonical(p.document),
            )
            for p in principal.identity_policies
        )
        boundary = principal.permissions_boundary
        trust = principal.trust_policy
        principals[principal.arn] = (
            principal.kind.value,
            dict(principal.tags),
            policies,
            boundary and (boundary.policy_id, canonical(boundary.document)),
            trust and canonical(trust.document),
            principal.missing_policies,
        )
    organization = snapshot.organization
    assert organization is not None
    paths = {
        account: [
            (
                node.id,
                sorted((p.policy_id, canonical(p.document)) for p in node.scps),
                sorted((p.policy_id, canonical(p.document)) for p in node.rcps),
            )
            for node in organization.path(account)
        ]
        for account in organization.account_ids
    }
    resources = {}
    for arn in snapshot.resource_arns:
        record = snapshot.resource_policy(arn)
        assert record is not None
        resources[arn] = (
            record.account_id,
            record.resource_type,
            canonical(record.policy.document),
            record.public_access_block,
        )
    return {
        "principals": principals,
        "organization": (organization.id, organization.management_account_id, paths),
        "resources": resources,
    }


def test_files_build_the_same_snapshot(both: dict[str, Any], world: World) -> None:
    collected = essentials(load_snapshot(both["collected"]))
    built = essentials(load_snapshot(both["built"]))

    expected = {
        f"arn:aws:iam::{account}:{kind}"
        for account in world.accounts
        for kind in ("user/alice", "role/service/app")
    }
    assert expected <= set(collected["principals"])
    assert len(collected["resources"]) == len(world.resources)
    assert built["principals"] == collected["principals"]
    assert built["organization"] == collected["organization"]
    assert built["resources"] == collected["resources"]


def test_written_owner_only(both: dict[str, Any]) -> None:
    for name in ("collected", "built"):
        assert stat.S_IMODE(both[name].stat().st_mode) == 0o600


def test_get_scps_writes_the_organization_file(
    both: dict[str, Any], world: World
) -> None:
    path = both["tmp"] / "scp_data.json"
    assert main(["get-scps", "--output-file", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    written = json.loads(path.read_text())
    assert all(
        isinstance(p["PolicyDocument"], str)
        for node in written.values()
        for p in node["policies"]
    )
    section = read_organization_file(path)
    collected = load_snapshot(both["collected"]).document["organization"]
    assert section == collected
    assert set(section["nodes"]) >= set(world.accounts)


def test_snapshot_show(
    both: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["snapshot", "show", str(both["collected"])]) == 0
    shown = capsys.readouterr().out
    assert "accounts: 3" in shown
    assert "AWS::ECR::Repository: 1" in shown
    assert "collection errors: 0" in shown


def denial(
    world: World,
    caller: str,
    action: str,
    resource: str,
    message: str,
    source: str,
    name: str,
) -> dict[str, Any]:
    """A CloudTrail record of a denial by an IAM user of the prod account."""
    account = world.prod
    return {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": caller,
            "accountId": account,
            "accessKeyId": "AKIAEXAMPLE",
            "userName": caller.rsplit("/", 1)[-1],
        },
        "eventTime": "2026-12-01T10:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": "198.51.100.1",
        "errorCode": "AccessDenied",
        "errorMessage": f"User: {caller} is not authorized to perform: {action} on "
        f"resource: {resource} {message}",
        "requestParameters": {},
        "eventID": f"event-{name}",
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
    }


def test_same_decisions_both_ways(both: dict[str, Any], world: World) -> None:
    analyze = pytest.importorskip("access_undenied.analyze")
    alice = f"arn:aws:iam::{world.prod}:user/alice"
    records = [
        denial(
            world,
            alice,
            "iam:CreateUser",
            f"arn:aws:iam::{world.prod}:user/bob",
            "with an explicit deny in a service control policy",
            "iam.amazonaws.com",
            "CreateUser",
        ),
        denial(
            world,
            alice,
            "kms:Decrypt",
            world.resources["kms"],
            "because no identity-based policy allows the kms:Decrypt action",
            "kms.amazonaws.com",
            "Decrypt",
        ),
        denial(
            world,
            alice,
            "s3:GetObject",
            "arn:aws:s3:::prod-data/a.txt",
            "because no identity-based policy allows the s3:GetObject action",
            "s3.amazonaws.com",
            "GetObject",
        ),
    ]
    compared = ("reason_code", "denied_by", "policy_arn", "statement_sid", "fix_target")

    def decisions(path: Path) -> list[dict[str, Any]]:
        analyzer = analyze.Analyzer(load_snapshot(path))
        flat = [analyze.flatten_result(analyzer.explain_record(r)) for r in records]
        return [{key: result[key] for key in compared} for result in flat]

    collected = decisions(both["collected"])
    assert decisions(both["built"]) == collected
    assert all(d["reason_code"] != "error" for d in collected), collected
    assert "scp" in collected[0]["denied_by"], collected
