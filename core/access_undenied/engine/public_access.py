"""S3 Block Public Access at evaluation time: `RestrictPublicBuckets`.

Where `RestrictPublicBuckets` is on and the bucket policy is public, only AWS service
principals and principals of the bucket owner's account keep the access the policy
grants; anonymous and cross-account callers lose it (Amazon S3 User Guide, "Blocking
public access to your Amazon S3 storage", "The meaning of public"). A policy is public
when an `Allow` statement names `*` (or uses `NotPrincipal`) without a condition that
pins one of the keys below to fixed values.
"""

from __future__ import annotations

from access_undenied.policy.model import Condition, Policy, Statement

# Keys whose fixed values make a grant non-public ("The meaning of public").
RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourceip",
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "aws:principalservicename",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)
# Operators that pin a key to the listed values (negated forms and IfExists do not).
PINNING_OPERATORS = frozenset(
    {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike",
     "IpAddress"}
)  # fmt: skip


def is_public_policy(policy: Policy) -> bool:
    """True if an Allow statement grants everyone without a pinning condition."""
    return any(is_public_statement(statement) for statement in policy.statements)


def is_public_statement(statement: Statement) -> bool:
    """An Allow to `*` (or via NotPrincipal) that no condition pins down."""
    if statement.is_deny or statement.principal is None:
        return False
    everyone = statement.not_principal or statement.principal.wildcard
    if not everyone:
        return False
    return not any(_pins(condition) for condition in statement.conditions)


def _pins(condition: Condition) -> bool:
    if condition.key_lower not in RESTRICTING_KEYS or condition.if_exists:
        return False
    if condition.base_operator not in PINNING_OPERATORS or condition.set_operator:
        return False
    return all(value and value.strip("*?") for value in condition.values)
