"""The world the collector tests read: an organization built in moto.

Management account (moto's default) at the root; OU workloads > OU prod; the dev
account in workloads, the prod account in prod. SCPs at the root, both OUs and
the prod account; an RCP on the prod OU. Users in groups, roles with boundaries
and trust policies, and one resource of each collected type with a policy.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

REGION = "us-east-1"
ROLE_NAME = "AccessUndeniedRole"


def document(action: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    """A one-statement Allow document."""
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    return {"Version": "2012-10-17", "Statement": [statement]}


def deny(action: str) -> dict[str, Any]:
    """A one-statement Deny document."""
    statement = {"Effect": "Deny", "Action": action, "Resource": "*"}
    return {"Version": "2012-10-17", "Statement": [statement]}


@dataclass
class World:
    """Ids and ARNs of what was created."""

    management: str = ""
    dev: str = ""
    prod: str = ""
    root_id: str = ""
    ou_ids: dict[str, str] = field(default_factory=dict)
    policy_ids: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted((self.management, self.dev, self.prod)))


def session_for(account_id: str, management: str) -> Any:
    """A session in an account: the caller's own, or its AccessUndeniedRole."""
    import boto3

    base = boto3.Session(region_name=REGION)
    if account_id == management:
        return base
    credentials = base.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE_NAME}",
        RoleSessionName="setup",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    )


def build_world() -> World:
    """Create the organization, IAM data and resources; return their ids."""
    import boto3

    world = World()
    org = boto3.Session(region_name=REGION).client("organizations")
    world.management = org.create_organization(FeatureSet="ALL")["Organization"][
        "MasterAccountId"
    ]
    build_tree(org, world)
    build_org_policies(org, world)
    for account_id in world.accounts:
        build_iam(session_for(account_id, world.management), account_id)
    build_resources(session_for(world.prod, world.management), world)
    build_bucket(session_for(world.management, world.management), world, "mgmt")
    return world


def build_tree(org: Any, world: World) -> None:
    world.root_id = org.list_roots()["Roots"][0]["Id"]
    workloads = org.create_organizational_unit(ParentId=world.root_id, Name="workloads")
    world.ou_ids["workloads"] = workloads["OrganizationalUnit"]["Id"]
    prod = org.create_organizational_unit(
        ParentId=world.ou_ids["workloads"], Name="prod"
    )
    world.ou_ids["prod"] = prod["OrganizationalUnit"]["Id"]
    for name, parent in (("dev", "workloads"), ("prod", "prod")):
        created = org.create_account(Email=f"{name}@example.com", AccountName=name)
        account_id = created["CreateAccountStatus"]["AccountId"]
        org.move_account(
            AccountId=account_id,
            SourceParentId=world.root_id,
            DestinationParentId=world.ou_ids[parent],
        )
        setattr(world, name, account_id)


def build_org_policies(org: Any, world: World) -> None:
    for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        org.enable_policy_type(RootId=world.root_id, PolicyType=policy_type)
    attachments = [
        (
            "scp-root",
            "SERVICE_CONTROL_POLICY",
            deny("organizations:LeaveOrganization"),
            world.root_id,
        ),
        (
            "scp-workloads",
            "SERVICE_CONTROL_POLICY",
            deny("s3:DeleteBucket"),
            world.ou_ids["workloads"],
        ),
        (
            "scp-prod",
            "SERVICE_CONTROL_POLICY",
            deny("iam:CreateUser"),
            world.ou_ids["prod"],
        ),
        ("scp-prod-account", "SERVICE_CONTROL_POLICY", deny("ec2:*"), world.prod),
        ("rcp-prod", "RESOURCE_CONTROL_POLICY", rcp_document(), world.ou_ids["prod"]),
    ]
    for name, policy_type, content, target in attachments:
        created = org.create_policy(
            Content=json.dumps(content), Description=name, Name=name, Type=policy_type
        )
        policy_id = created["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policy_id, TargetId=target)
        world.policy_ids[name] = policy_id


def rcp_document() -> dict[str, Any]:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def build_iam(session: Any, account_id: str) -> None:
    iam = session.client("iam")
    shared = iam.create_policy(
        PolicyName="shared-read", PolicyDocument=json.dumps(document("s3:GetObject"))
    )["Policy"]["Arn"]
    iam.create_policy_version(
        PolicyArn=shared,
        PolicyDocument=json.dumps(document("s3:GetObject", "arn:aws:s3:::data/*")),
        SetAsDefault=True,
    )
    boundary = iam.create_policy(
        PolicyName="boundary", PolicyDocument=json.dumps(document("s3:*"))
    )["Policy"]["Arn"]

    iam.create_group(GroupName="developers")
    iam.put_group_policy(
        GroupName="developers",
        PolicyName="group-inline",
        PolicyDocument=json.dumps(document("sqs:SendMessage")),
    )
    iam.attach_group_policy(GroupName="developers", PolicyArn=shared)
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "red"}])
    iam.add_user_to_group(GroupName="developers", UserName="alice")
    iam.put_user_policy(
        UserName="alice",
        PolicyName="alice-inline",
        PolicyDocument=json.dumps(document("sns:Publish")),
    )

    iam.create_role(
        RoleName="app",
        Path="/service/",
        AssumeRolePolicyDocument=json.dumps(TRUST),
        Tags=[{"Key": "owner", "Value": account_id}],
    )
    iam.put_role_policy(
        RoleName="app",
        PolicyName="app-inline",
        PolicyDocument=json.dumps(document("kms:Decrypt")),
    )
    iam.attach_role_policy(RoleName="app", PolicyArn=shared)
    iam.put_role_permissions_boundary(RoleName="app", PermissionsBoundary=boundary)


def build_resources(session: Any, world: World) -> None:
    account = world.prod
    principal = {"AWS": f"arn:aws:iam::{world.dev}:root"}
    build_bucket(session, world, "prod")

    kms = session.client("kms")
    key = kms.create_key(Description="prod key")["KeyMetadata"]
    key_policy = document("kms:Decrypt", Principal=principal)
    kms.put_key_policy(
        KeyId=key["KeyId"], PolicyName="default", Policy=json.dumps(key_policy)
    )
    world.resources["kms"] = key["Arn"]

    sqs = session.client("sqs")
    queue_url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:{REGION}:{account}:orders"
    policy = document("sqs:SendMessage", queue_arn, Principal=principal)
    sqs.set_queue_attributes(
        QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)}
    )
    world.resources["sqs"] = queue_arn

    sns = session.client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    policy = document("sns:Publish", topic, Principal=principal)
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy)
    )
    world.resources["sns"] = topic

    secrets = session.client("secretsmanager")
    secret = secrets.create_secret(Name="db", SecretString="x")["ARN"]
    policy = document("secretsmanager:GetSecretValue", "*", Principal=principal)
    secrets.put_resource_policy(SecretId=secret, ResourcePolicy=json.dumps(policy))
    world.resources["secretsmanager"] = secret

    build_function(session, world)

    ecr = session.client("ecr")
    repository = ecr.create_repository(repositoryName="images")["repository"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": principal,
                "Action": "ecr:BatchGetImage",
            }
        ],
    }
    ecr.set_repository_policy(repositoryName="images", policyText=json.dumps(policy))
    world.resources["ecr"] = repository["repositoryArn"]


def build_bucket(session: Any, world: World, name: str) -> None:
    s3 = session.client("s3")
    bucket = f"{name}-data"
    s3.create_bucket(Bucket=bucket)
    policy = document(
        "s3:GetObject", f"arn:aws:s3:::{bucket}/*", Principal={"AWS": "*"}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": name == "prod",
            "RestrictPublicBuckets": True,
        },
    )
    world.resources[f"s3-{name}"] = f"arn:aws:s3:::{bucket}"


def build_function(session: Any, world: World) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    functions = session.client("lambda")
    created = functions.create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role=f"arn:aws:iam::{world.prod}:role/service/app",
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
    )
    functions.add_permission(
        FunctionName="worker",
        StatementId="dev-invoke",
        Action="lambda:InvokeFunction",
        Principal=world.dev,
    )
    world.resources["lambda"] = created["FunctionArn"]


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 that boto3 reaches through AWS_ENDPOINT_URL.

    moto's backends are global to the process, so it starts from an empty AWS; the
    environment holds fake credentials only, and the server stops on exit.
    """
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    ).close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", endpoint)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", "/dev/null")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            patch.delenv(name, raising=False)
        try:
            yield endpoint
        finally:
            server.stop()
