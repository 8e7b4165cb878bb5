"""ARN helpers the snapshot needs: split, account, bucket of an object, type."""

from __future__ import annotations

import re
from typing import NamedTuple

# Twelve ASCII digits (`\d` would accept other scripts' digits; `$` a newline).
ACCOUNT_ID = re.compile(r"[0-9]{12}\Z")


class Arn(NamedTuple):
    """The six fields of an ARN: arn:partition:service:region:account:resource."""

    partition: str
    service: str
    region: str
    account: str
    resource: str


def split_arn(arn: str) -> Arn | None:
    """Split an ARN into its fields, or None when it is not an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def arn_account(arn: str) -> str | None:
    """The 12-digit account field of an ARN, or None when it has none."""
    fields = split_arn(arn)
    if fields is None or not ACCOUNT_ID.match(fields.account):
        return None
    return fields.account


def bucket_arn(arn: str) -> str | None:
    """The bucket ARN of an S3 bucket or object ARN (`arn:aws:s3:::b/key` -> b)."""
    fields = split_arn(arn)
    if fields is None or fields.service != "s3" or fields.account:
        return None
    bucket = fields.resource.split("/", 1)[0]
    if not bucket:
        return None
    return f"arn:{fields.partition}:s3:::{bucket}"


# (service, resource prefix) -> CloudFormation-style type, as CloudTrail names
# resources in `resources[].type`. The prefix is matched up to its separator.
RESOURCE_TYPES: dict[tuple[str, str], str] = {
    ("s3", ""): "AWS::S3::Bucket",
    ("kms", "key"): "AWS::KMS::Key",
    ("sqs", ""): "AWS::SQS::Queue",
    ("sns", ""): "AWS::SNS::Topic",
    ("secretsmanager", "secret"): "AWS::SecretsManager::Secret",
    ("lambda", "function"): "AWS::Lambda::Function",
    ("ecr", "repository"): "AWS::ECR::Repository",
    ("logs", "destination"): "AWS::Logs::Destination",
    ("glacier", "vaults"): "AWS::Glacier::Vault",
    ("es", "domain"): "AWS::Elasticsearch::Domain",
    ("events", "event-bus"): "AWS::Events::EventBus",
    ("backup", "backup-vault"): "AWS::Backup::BackupVault",
}


def infer_resource_type(arn: str) -> str | None:
    """The resource type an ARN names, or None when the table does not know it."""
    fields = split_arn(arn)
    if fields is None:
        return None
    prefix = re.split(r"[:/]", fields.resource, maxsplit=1)[0]
    found = RESOURCE_TYPES.get((fields.service, prefix))
    if found is not None and prefix:
        return found
    return RESOURCE_TYPES.get((fields.service, ""))
