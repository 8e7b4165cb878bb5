"""The request context keys a CloudTrail record can supply, with AWS's spelling.

Keys and values follow the IAM User Guide, "AWS global condition context keys".
Keys a record cannot tell (request tags, most service-specific keys) are left out;
the engine then reports them as missing rather than guessing.
"""

from __future__ import annotations

import calendar
import functools
import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Callable, Union

from access_undenied.cloudtrail.identity import CallerIdentity, PrincipalType

ContextValue = Union[str, "tuple[str, ...]"]

EVENT_TIME_RE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?Z")
SERVICE_SUFFIX = ".amazonaws.com"
OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4_RE = re.compile(rf"{OCTET}(?:\.{OCTET}){{3}}")

# aws:PrincipalType per identity type ("AWS global condition context keys").
PRINCIPAL_TYPE_VALUES: dict[PrincipalType, str] = {
    PrincipalType.IAM_USER: "User",
    PrincipalType.ASSUMED_ROLE: "AssumedRole",
    PrincipalType.FEDERATED_USER: "FederatedUser",
    PrincipalType.ROOT: "Account",
    PrincipalType.ANONYMOUS: "Anonymous",
}

BOOL_TEXT = {True: "true", False: "false"}

# Record members copied to a context key as they are, when they are strings.
COPIED_MEMBERS: dict[str, str] = {
    "vpcEndpointId": "aws:SourceVpce",
    "awsRegion": "aws:RequestedRegion",
    "userAgent": "aws:UserAgent",
    "eventTime": "aws:CurrentTime",
}


def build_context(
    record: Mapping[str, Any],
    principal: CallerIdentity,
    resource_account: str | None,
) -> dict[str, ContextValue]:
    """Every context key the record and its caller supply."""
    context: dict[str, ContextValue] = {}
    for member, key in COPIED_MEMBERS.items():
        value = record.get(member)
        if isinstance(value, str) and value:
            context[key] = value

    for add_keys in CONTEXT_BUILDERS:
        add_keys(record, principal, context)
    if resource_account:
        context["aws:ResourceAccount"] = resource_account
    return context


def add_source_ip(
    record: Mapping[str, Any], _: CallerIdentity, context: dict[str, ContextValue]
) -> None:
    """aws:SourceIp, only where `sourceIPAddress` is an address (not a service)."""
    address = record.get("sourceIPAddress")
    if isinstance(address, str) and is_ip_address(address):
        context["aws:SourceIp"] = address


def add_time(
    record: Mapping[str, Any], principal: CallerIdentity, context: dict[str, Any]
) -> None:
    """aws:EpochTime from `eventTime`; MFA age from the session's creation."""
    now = epoch_seconds(record.get("eventTime"))
    if now is None:
        return
    context["aws:EpochTime"] = str(now)
    created = epoch_seconds(principal.session_created)
    if principal.mfa_authenticated and created is not None and created <= now:
        context["aws:MultiFactorAuthAge"] = str(now - created)


def add_principal(
    record: Mapping[str, Any], principal: CallerIdentity, context: dict[str, Any]
) -> None:
    """aws:PrincipalArn (a session's role), account, type, userid and username."""
    values = (
        ("aws:PrincipalArn", principal_arn_value(principal)),
        ("aws:PrincipalAccount", principal.account_id),
        ("aws:PrincipalType", PRINCIPAL_TYPE_VALUES.get(principal.type)),
        ("aws:userid", userid_value(principal)),
        ("aws:TokenIssueTime", principal.session_created),
        ("aws:SourceIdentity", principal.source_identity),
        ("aws:FederatedProvider", principal.identity_provider),
    )
    for key, value in values:
        if value:
            context[key] = value
    if principal.type is PrincipalType.IAM_USER and principal.user_name:
        context["aws:username"] = principal.user_name
    if principal.mfa_authenticated is not None:
        context["aws:MultiFactorAuthPresent"] = BOOL_TEXT[principal.mfa_authenticated]


def add_service(
    record: Mapping[str, Any], principal: CallerIdentity, context: dict[str, Any]
) -> None:
    """aws:ViaAWSService and aws:CalledVia from `userIdentity.invokedBy`."""
    invoked_by = principal.service
    via_service = bool(invoked_by) and str(invoked_by).endswith(SERVICE_SUFFIX)
    is_service = principal.type is PrincipalType.AWS_SERVICE
    context["aws:PrincipalIsAWSService"] = str(is_service).lower()
    if is_service:
        return
    context["aws:ViaAWSService"] = str(via_service).lower()
    if via_service:
        context["aws:CalledVia"] = (str(invoked_by),)


def add_secure_transport(
    record: Mapping[str, Any], _: CallerIdentity, context: dict[str, Any]
) -> None:
    """aws:SecureTransport: CloudTrail writes `tlsDetails` for TLS requests."""
    if isinstance(record.get("tlsDetails"), dict):
        context["aws:SecureTransport"] = "true"


CONTEXT_BUILDERS: tuple[
    Callable[[Mapping[str, Any], CallerIdentity, dict[str, Any]], None], ...
] = (add_source_ip, add_time, add_principal, add_service, add_secure_transport)


def principal_arn_value(principal: CallerIdentity) -> str | None:
    """aws:PrincipalArn: a role session gives its role's ARN, not the session's."""
    if principal.type is PrincipalType.ASSUMED_ROLE:
        return principal.issuer_arn or principal.arn
    if principal.type is PrincipalType.ANONYMOUS:
        return None
    return principal.arn


def userid_value(principal: CallerIdentity) -> str | None:
    """aws:userid: the principal id; the account id for the root user."""
    if principal.type is PrincipalType.ANONYMOUS:
        return "anonymous"
    if principal.type is PrincipalType.ROOT:
        return principal.account_id
    return principal.principal_id


def is_ip_address(text: str) -> bool:
    """True for an IPv4 or IPv6 address (dotted quads without leading zeros)."""
    if IPV4_RE.fullmatch(text):
        return True
    return ":" in text and is_ipv6_address(text)


@functools.lru_cache(maxsize=4096)
def is_ipv6_address(text: str) -> bool:
    """True for an IPv6 address; cached, as `ipaddress` is slow to parse."""
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def epoch_seconds(timestamp: object) -> int | None:
    """Seconds since the epoch of CloudTrail's `YYYY-MM-DDTHH:MM:SSZ`, or None."""
    if not isinstance(timestamp, str):
        return None
    return parse_event_time(timestamp)


@functools.lru_cache(maxsize=4096)
def parse_event_time(timestamp: str) -> int | None:
    """`epoch_seconds` for a string, cached: records of one file share seconds."""
    match = EVENT_TIME_RE.fullmatch(timestamp)
    if not match:
        return None
    try:
        fields = tuple(int(group) for group in match.groups())
        return calendar.timegm((*fields, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
