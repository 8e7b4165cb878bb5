"""The caches of the `Analyzer`: what a repeated request is keyed by.

Three levels: a record's fingerprint (its members apart from per-event ones) finds
the finished result without rebuilding the request; the request's caller (a session
by its role), action, resource and message find the assembled policies and the
context keys they read; those keys' values find the finished result body.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from access_undenied.analyze.assemble import caller_arn
from access_undenied.cloudtrail.models import Request
from access_undenied.engine.model import EvaluationRequest
from access_undenied.policy.variables import Template

JsonDict = dict[str, Any]

# Record members `build_request` reads that repeat between events of one request.
STABLE_MEMBERS = (
    "errorCode",
    "errorMessage",
    "eventSource",
    "eventName",
    "awsRegion",
    "recipientAccountId",
    "vpcEndpointId",
)
NESTED_MEMBERS = ("userIdentity", "requestParameters", "resources")
FINGERPRINT_MEMBERS = STABLE_MEMBERS + NESTED_MEMBERS

# Members that change with every event, and the context keys (lowercased) they
# feed: part of a record's cache key only when a policy reads one of those keys.
VOLATILE_MEMBERS: Mapping[str, tuple[str, ...]] = {
    "sourceIPAddress": ("aws:sourceip",),
    "eventTime": ("aws:currenttime", "aws:epochtime", "aws:multifactorauthage"),
    "userAgent": ("aws:useragent",),
}


@dataclass(frozen=True)
class CachedBody:
    """A finished result body as JSON text without the braces (text is compact).

    The `Request` object is kept apart: its `Principal` (a session ARN) differs
    between events that share the body.
    """

    fragment: str
    request_fragment: str
    reason_code: str


VOLATILE_LIMIT = 64


@dataclass
class RecordEntry:
    """Results of records that differ only in per-event members.

    `members` are the per-event members whose values the policies read; the
    results are kept by those values.
    """

    members: tuple[str, ...]
    bodies: dict[tuple[Any, ...], tuple[CachedBody, str | None]]

    def volatile_key(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        """The values of the per-event members that matter for this request."""
        return tuple(record.get(member) for member in self.members)


K = TypeVar("K")
V = TypeVar("V")


def recall(cache: OrderedDict[K, V], key: K) -> V | None:
    """The cached value of `key` (None if absent), marked as just used (LRU)."""
    value = cache.get(key)
    if value is not None:
        cache.move_to_end(key)
    return value


def record_fingerprint(record: Mapping[str, Any]) -> bytes:
    """What a record's request depends on, apart from per-event members.

    A 128-bit BLAKE2b digest of those members' text, so a million keys stay small.
    """
    members = tuple(map(record.get, FINGERPRINT_MEMBERS))
    text = repr((members, isinstance(record.get("tlsDetails"), dict)))
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def volatile_members(wanted: frozenset[str]) -> tuple[str, ...]:
    """The per-event members that feed a context key the policies read."""
    return tuple(
        member
        for member, keys in VOLATILE_MEMBERS.items()
        if any(key in wanted for key in keys)
    )


def first_key(request: Request) -> tuple[Any, ...]:
    """What decides the assembled policies: principal, action, resource, message.

    A session is keyed by its role: sessions of one role share their policies.
    """
    message = request.message
    return (
        request.principal.issuer_arn or caller_arn(request),
        request.principal.account_id,
        request.actions,
        request.resources,
        request.resource_account,
        message.layer,
        message.explicit,
        message.policy_arn,
    )


def keys_read(evaluation: EvaluationRequest) -> frozenset[str]:
    """The context keys the policies read (conditions, variables), lowercased."""
    wanted: set[str] = set()
    policies = [
        *evaluation.identity_policies,
        evaluation.permissions_boundary,
        evaluation.resource_policy,
        *(p for level in evaluation.scps or () for p in level),
        *(p for level in evaluation.rcps or () for p in level),
    ]
    for policy in policies:
        if policy is None:
            continue
        for statement in policy.statements:
            for condition in statement.conditions:
                wanted.add(condition.key_lower)
                for template in condition.templates:
                    wanted.update(template_keys(template))
            for pattern in statement.resource_patterns:
                wanted.update(template_keys(pattern))
    return frozenset(wanted)


def template_keys(pattern: object) -> tuple[str, ...]:
    """The lowercased context keys a policy-variable template reads."""
    if not isinstance(pattern, Template):
        return ()
    return tuple(key.lower() for key in pattern.keys)


def cached_body(body: JsonDict) -> CachedBody:
    """A body as JSON text, braces removed, ready to splice."""
    rest = dict(body)
    request = dict(rest.pop("Request"))
    request.pop("Principal", None)
    return CachedBody(
        json.dumps(rest)[1:-1], json.dumps(request)[1:-1], str(rest["ReasonCode"])
    )


def names_sessions(evaluation: EvaluationRequest) -> bool:
    """True when the resource policy names role sessions, so each session differs."""
    policy = evaluation.resource_policy
    if policy is None:
        return False
    return any(
        ":assumed-role/" in arn
        for statement in policy.statements
        if statement.principal is not None
        for arn in statement.principal.aws
    )
