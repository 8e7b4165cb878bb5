"""Per-account collectors: IAM authorization details and resource policies.

Each resource collector lists one service's resources in one region with a
paginator and reads each policy; a resource without a policy is skipped, a call
that fails is recorded and the rest goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from access_undenied.errors import InputError
from access_undenied.snapshot.collect_aws import AccountClients, CallRecorder
from access_undenied.snapshot.details import empty_account, merge_details
from access_undenied.snapshot.documents import decode_policy_document
from access_undenied.snapshot.resources import resource_policy_entry

logger = logging.getLogger(__name__)

# (resource ARN, policy text or object, resource type, public access block)
Found = tuple[str, Any, str, Any]
ResourceCollector = Callable[[Any, CallRecorder], Iterator[Found]]

DETAIL_FILTER = ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]


def paginate(client: Any, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """The pages of a listing operation (snake_case operation name)."""
    yield from client.get_paginator(operation).paginate(**kwargs)


def collect_iam(
    clients: AccountClients, recorder: CallRecorder
) -> dict[str, list[Any]] | None:
    """The account's get-account-authorization-details, all pages merged."""
    iam = clients.client("iam")
    section = empty_account()

    def read() -> bool:
        pages = paginate(iam, "get_account_authorization_details", Filter=DETAIL_FILTER)
        for page in pages:
            merge_details(section, page, f"account {clients.account_id}")
        return True

    try:
        done = recorder.call("iam", "GetAccountAuthorizationDetails", read)
        if done:
            add_referenced_policies(iam, section, recorder, clients.account_id)
    except InputError as exc:
        logger.error("IAM data of %s is malformed: %s", clients.account_id, exc)
        return None
    return section if done else None


def referenced_policy_arns(section: dict[str, list[Any]]) -> set[str]:
    """Managed policies the account's identities attach or use as boundaries."""
    found: set[str] = set()
    for list_name in ("UserDetailList", "GroupDetailList", "RoleDetailList"):
        for entry in section[list_name]:
            found.update(
                a["PolicyArn"] for a in entry.get("AttachedManagedPolicies", ())
            )
            boundary = entry.get("PermissionsBoundary") or {}
            if "PermissionsBoundaryArn" in boundary:
                found.add(boundary["PermissionsBoundaryArn"])
    return found


def add_referenced_policies(
    iam: Any, section: dict[str, list[Any]], recorder: CallRecorder, account: str
) -> None:
    """Read managed policies that are used but not listed, with GetPolicy.

    An AWS managed policy used only as a permissions boundary is not in the
    `Policies` of get-account-authorization-details.
    """
    listed = {policy["Arn"] for policy in section["Policies"]}
    for arn in sorted(referenced_policy_arns(section) - listed):
        found = recorder.call(
            "iam", "GetPolicy", partial(iam.get_policy, PolicyArn=arn)
        )
        if found is None:
            continue
        policy = found["Policy"]
        version = recorder.call(
            "iam",
            "GetPolicyVersion",
            partial(
                iam.get_policy_version,
                PolicyArn=arn,
                VersionId=policy["DefaultVersionId"],
            ),
        )
        if version is None:
            continue
        default = {**version["PolicyVersion"], "IsDefaultVersion": True}
        entry = {**policy, "PolicyVersionList": [default]}
        merge_details(section, {"Policies": [entry]}, f"account {account}")


def collect_s3(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Bucket policies and public access blocks (S3 lists every region at once)."""
    listing = recorder.call("s3", "ListBuckets", client.list_buckets)
    for bucket in (listing or {}).get("Buckets", []):
        name = bucket["Name"]
        policy = recorder.call(
            "s3", "GetBucketPolicy", partial(client.get_bucket_policy, Bucket=name)
        )
        if policy is None:
            continue
        block = recorder.call(
            "s3",
            "GetPublicAccessBlock",
            partial(client.get_public_access_block, Bucket=name),
        )
        configuration = (block or {}).get("PublicAccessBlockConfiguration")
        yield f"arn:aws:s3:::{name}", policy["Policy"], "AWS::S3::Bucket", configuration


def collect_kms(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Key policies (the one policy a key has is named `default`)."""
    pages = recorder.call(
        "kms", "ListKeys", lambda: list(paginate(client, "list_keys"))
    )
    for page in pages or []:
        for key in page["Keys"]:
            found = recorder.call(
                "kms",
                "GetKeyPolicy",
                partial(
                    client.get_key_policy, KeyId=key["KeyId"], PolicyName="default"
                ),
            )
            if found is not None and found.get("Policy"):
                yield key["KeyArn"], found["Policy"], "AWS::KMS::Key", None


def collect_sqs(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Queue policies, from the `Policy` attribute."""
    pages = recorder.call(
        "sqs", "ListQueues", lambda: list(paginate(client, "list_queues"))
    )
    for page in pages or []:
        for url in page.get("QueueUrls", []):
            found = recorder.call(
                "sqs",
                "GetQueueAttributes",
                partial(
                    client.get_queue_attributes,
                    QueueUrl=url,
                    AttributeNames=["QueueArn", "Policy"],
                ),
            )
            attributes = (found or {}).get("Attributes", {})
            if attributes.get("Policy"):
                arn = attributes["QueueArn"]
                yield arn, attributes["Policy"], "AWS::SQS::Queue", None


def collect_sns(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Topic policies, from the `Policy` attribute."""
    pages = recorder.call(
        "sns", "ListTopics", lambda: list(paginate(client, "list_topics"))
    )
    for page in pages or []:
        for topic in page.get("Topics", []):
            arn = topic["TopicArn"]
            found = recorder.call(
                "sns",
                "GetTopicAttributes",
                partial(client.get_topic_attributes, TopicArn=arn),
            )
            policy = (found or {}).get("Attributes", {}).get("Policy")
            if policy:
                yield arn, policy, "AWS::SNS::Topic", None


def collect_secrets(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Secret resource policies."""
    pages = recorder.call(
        "secretsmanager", "ListSecrets", lambda: list(paginate(client, "list_secrets"))
    )
    for page in pages or []:
        for secret in page.get("SecretList", []):
            arn = secret["ARN"]
            found = recorder.call(
                "secretsmanager",
                "GetResourcePolicy",
                partial(client.get_resource_policy, SecretId=arn),
            )
            policy = (found or {}).get("ResourcePolicy")
            if policy:
                yield arn, policy, "AWS::SecretsManager::Secret", None


def collect_lambda(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Function resource policies."""
    pages = recorder.call(
        "lambda", "ListFunctions", lambda: list(paginate(client, "list_functions"))
    )
    for page in pages or []:
        for function in page.get("Functions", []):
            arn = function["FunctionArn"]
            found = recorder.call(
                "lambda", "GetPolicy", partial(client.get_policy, FunctionName=arn)
            )
            if found is not None and found.get("Policy"):
                yield arn, found["Policy"], "AWS::Lambda::Function", None


def collect_ecr(client: Any, recorder: CallRecorder) -> Iterator[Found]:
    """Repository policies."""
    pages = recorder.call(
        "ecr",
        "DescribeRepositories",
        lambda: list(paginate(client, "describe_repositories")),
    )
    for page in pages or []:
        for repository in page.get("repositories", []):
            name = repository["repositoryName"]
            found = recorder.call(
                "ecr",
                "GetRepositoryPolicy",
                partial(client.get_repository_policy, repositoryName=name),
            )
            if found is not None and found.get("policyText"):
                arn = repository["repositoryArn"]
                yield arn, found["policyText"], "AWS::ECR::Repository", None


# Service -> collector of its resource policies in one region.
REGIONAL_COLLECTORS: dict[str, ResourceCollector] = {
    "kms": collect_kms,
    "sqs": collect_sqs,
    "sns": collect_sns,
    "secretsmanager": collect_secrets,
    "lambda": collect_lambda,
    "ecr": collect_ecr,
}

# Services whose listing covers every region from one endpoint.
GLOBAL_COLLECTORS: dict[str, ResourceCollector] = {"s3": collect_s3}


def collect_resources(
    clients: AccountClients,
    service: str,
    region: str | None,
    recorder: CallRecorder,
) -> dict[str, Any]:
    """Snapshot entries of one service's resource policies in one region."""
    collector = REGIONAL_COLLECTORS.get(service) or GLOBAL_COLLECTORS[service]
    client = clients.client(service, region)
    entries: dict[str, Any] = {}
    for arn, policy, resource_type, block in collector(client, recorder):
        try:
            document = decode_policy_document(policy, arn)
        except InputError as exc:
            logger.error("policy of %s is not JSON: %s", arn, exc)
            continue
        entries[arn] = resource_policy_entry(
            arn, document, clients.account_id, resource_type, block
        )
    return entries
