"""The caches of the `Analyzer`: what a repeated request is keyed by.

Three levels: a record's fingerprint (its members apart from per-event ones) finds
the finished result without rebuilding the request; the request's caller (a session
by its role), action, resource and message find the assembled policies and the
context keys they read; those keys' values find the finished result body.

A role session's name and creation time are masked in the fingerprint: other
sessions of the role share the first one's result unless the policies read them.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from access_undenied.analyze.assemble import caller_arn
from access_undenied.cloudtrail.identity import object_field, text_field
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
MESSAGE_AT = FINGERPRINT_MEMBERS.index("errorMessage")
IDENTITY_AT = FINGERPRINT_MEMBERS.index("userIdentity")

# Members that change with every event, and the context keys (lowercased) they
# feed: part of a record's cache key only when a policy reads one of those keys.
VOLATILE_MEMBERS: Mapping[str, tuple[str, ...]] = {
    "sourceIPAddress": ("aws:sourceip",),
    "eventTime": ("aws:currenttime", "aws:epochtime", "aws:multifactorauthage"),
    "userAgent": ("aws:useragent",),
}
# The context keys that a session's creation time feeds.
CREATION_KEYS = ("aws:tokenissuetime", "aws:multifactorauthage")
# Stands for the masked session name and creation time in a fingerprint.
MASK = "\x00"


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
    results are kept by those values, and by the session's creation time
    (`reads_creation`) and its ARN (`per_session`) where they matter.
    """

    members: tuple[str, ...]
    bodies: dict[tuple[Any, ...], tuple[CachedBody, str | None]]
    reads_creation: bool = True
    per_session: bool = True

    def volatile_key(
        self, record: Mapping[str, Any], session: str | None
    ) -> tuple[Any, ...]:
        """The values of the per-event members that matter for this request."""
        values = [record.get(member) for member in self.members]
        if self.reads_creation:
            values.append(session_created(record))
        if self.per_session:
            values.append(session)
        return tuple(values)


K = TypeVar("K")
V = TypeVar("V")


def recall(cache: OrderedDict[K, V], key: K) -> V | None:
    """The cached value of `key` (None if absent), marked as just used (LRU)."""
    value = cache.get(key)
    if value is not None:
        cache.move_to_end(key)
    return value


def record_fingerprint(record: Mapping[str, Any], session: str | None) -> bytes:
    """What a record's request depends on, apart from per-event members.

    With `session` (see `session_arn`), the session's name and creation time are
    masked. A 128-bit BLAKE2b digest of the members' text, so a million keys stay
    small.
    """
    members: list[Any] = list(map(record.get, FINGERPRINT_MEMBERS))
    if session is not None:
        message = members[MESSAGE_AT]
        if isinstance(message, str):
            members[MESSAGE_AT] = message.replace(f" {session} ", f" {MASK} ")
        members[IDENTITY_AT] = masked_identity(members[IDENTITY_AT], session)
    tls = isinstance(record.get("tlsDetails"), dict)
    # Whether masked: a record whose text holds the mask itself never matches one.
    text = repr((members, tls, session is not None))
    return hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def session_arn(record: Mapping[str, Any]) -> str | None:
    """The caller's role-session ARN, when its name can be masked in a fingerprint.

    Only for `AssumedRole` callers whose record names the role, with the session
    name at the end of both `arn` and `principalId`.
    """
    identity = record.get("userIdentity")
    if not isinstance(identity, dict) or identity.get("type") != "AssumedRole":
        return None
    arn, principal_id = identity.get("arn"), identity.get("principalId")
    if not isinstance(arn, str) or not isinstance(principal_id, str):
        return None
    name = arn.rpartition("/")[2]
    if ":assumed-role/" not in arn or not name or MASK in arn:
        return None
    issuer = object_field(object_field(identity, "sessionContext"), "sessionIssuer")
    if not principal_id.endswith(":" + name) or text_field(issuer, "arn") is None:
        return None
    return arn


def masked_identity(identity: dict[str, Any], session: str) -> dict[str, Any]:
    """`userIdentity` with the session name and creation time masked."""
    name = session.rpartition("/")[2]
    masked = dict(identity)
    masked["arn"] = session[: -len(name)] + MASK
    masked["principalId"] = str(identity["principalId"])[: -len(name)] + MASK
    context = identity.get("sessionContext")
    if not isinstance(context, dict):
        return masked
    attributes = context.get("attributes")
    if isinstance(attributes, dict) and "creationDate" in attributes:
        masked["sessionContext"] = {
            **context,
            "attributes": {**attributes, "creationDate": MASK},
        }
    return masked


def session_created(record: Mapping[str, Any]) -> str | None:
    """`userIdentity.sessionContext.attributes.creationDate`, as requests read it."""
    identity = record.get("userIdentity")
    if not isinstance(identity, dict):
        return None
    context = object_field(identity, "sessionContext")
    return text_field(object_field(context, "attributes"), "creationDate")


def reads_creation(wanted: frozenset[str]) -> bool:
    """True when the policies read a context key the session's creation feeds."""
    return any(key in wanted for key in CREATION_KEYS)


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
