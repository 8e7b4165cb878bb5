"""The request as the engine reads it: lowercased action, caller, full context.

AWS adds some global condition keys to every request from the caller's identity
(`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
`aws:PrincipalIsAWSService`, `aws:username` for IAM users); they are derived here
where the caller's context does not already give them. See IAM User Guide, "AWS global
condition context keys".
"""

from __future__ import annotations

import enum
import functools
from typing import TYPE_CHECKING, NamedTuple

from access_undenied.engine.model import ContextMap, EvaluationRequest
from access_undenied.policy.arn import Arn, parse_arn
from access_undenied.policy.principal import (
    CallerPrincipal,
    PrincipalKind,
    parse_caller,
)

if TYPE_CHECKING:
    from access_undenied.engine.layers import LayerState

# Actions authorized by a role's trust policy when the resource is the role.
TRUST_POLICY_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)
ALWAYS_ALLOWED_ACTIONS = frozenset({"sts:getcalleridentity"})

# Services whose resources RCPs govern (AWS Organizations User Guide, "Resource
# control policies"; the list grows, see "List of AWS services that support RCPs").
# TODO: the list is fixed here; a service that gains RCP support is evaluated as if
# RCPs did not apply to it until it is added, which can hide an RCP denial.
RCP_SERVICES = frozenset(
    {
        "s3",
        "sts",
        "sqs",
        "secretsmanager",
        "kms",
        "dynamodb",
        "ecr",
        "cognito-idp",
        "logs",
        "aoss",
    }
)

_PRINCIPAL_TYPES = {
    PrincipalKind.ROOT: "Account",
    PrincipalKind.USER: "User",
    PrincipalKind.ROLE: "AssumedRole",
    PrincipalKind.ASSUMED_ROLE: "AssumedRole",
    PrincipalKind.FEDERATED_USER: "FederatedUser",
    PrincipalKind.ANONYMOUS: "Anonymous",
}


class ResourceKind(str, enum.Enum):
    """Resources whose resource policy must allow explicitly."""

    GENERAL = "general"
    ROLE_TRUST = "role_trust"
    KMS_KEY = "kms_key"


class RequestScope(NamedTuple):
    """One request prepared for evaluation."""

    request: EvaluationRequest
    action: str
    service: str
    resource: str
    caller: CallerPrincipal
    context: dict[str, tuple[str, ...]]
    resource_account: str | None
    resource_kind: ResourceKind
    resource_parts: list[str]
    # What the scope was built from (`scope_key`), and the layer states first
    # judged under it (filled by `evaluate`).
    key: tuple[object, ...]
    layer_states: list[LayerState]

    @property
    def same_account(self) -> bool:
        """True unless the resource is known to live in another account."""
        if self.resource_account is None or self.caller.account is None:
            return True
        return self.resource_account == self.caller.account

    @property
    def has_boundary(self) -> bool:
        """True if the caller has a permissions boundary."""
        return self.request.permissions_boundary is not None

    def lookup(self, key: str) -> str | None:
        """The single value of a lowercased context key, for policy variables."""
        values = self.context.get(key)
        if values is None or len(values) != 1:
            return None
        return values[0]


def scope_key(request: EvaluationRequest) -> tuple[object, ...]:
    """The fields of a request that its scope (and each layer's state) depends on."""
    return (
        request.principal,
        request.action,
        request.resource,
        request.resource_account,
        request.context,
        request.permissions_boundary is not None,
    )


def build_scope(
    request: EvaluationRequest, key: tuple[object, ...] | None = None
) -> RequestScope:
    """Prepare a request: parse the caller, lowercase the action, derive keys."""
    caller = _parse_caller(request.principal)
    action = request.action.lower()
    arn = parse_arn(request.resource)
    resource_account = request.resource_account or (arn.account if arn else None)
    resource_account = resource_account or None
    context = _derived_values(caller, resource_account).copy()
    context.update(_context_of(request).lowered)
    return RequestScope(
        request,
        action,
        action.split(":", 1)[0],
        request.resource,
        caller,
        context,
        resource_account,
        arn_resource_kind(action, arn),
        request.resource.split(":", 5),
        key if key is not None else scope_key(request),
        [],
    )


@functools.lru_cache(maxsize=4096)
def _parse_caller(text: str) -> CallerPrincipal:
    return parse_caller(text)


@functools.lru_cache(maxsize=4096)
def _derived_values(
    caller: CallerPrincipal, resource_account: str | None
) -> dict[str, tuple[str, ...]]:
    """Derived keys as context values; callers copy the dict, never change it."""
    derived = derived_context(caller, resource_account)
    return {key: (value,) for key, value in derived.items()}


def _context_of(request: EvaluationRequest) -> ContextMap:
    context = request.context
    return context if isinstance(context, ContextMap) else ContextMap(context)


def derived_context(
    caller: CallerPrincipal, resource_account: str | None
) -> dict[str, str]:
    """Global condition keys AWS sets from the caller (lowercased names)."""
    derived = {
        "aws:principalisawsservice": str(caller.kind is PrincipalKind.SERVICE).lower()
    }
    if caller.kind is PrincipalKind.SERVICE:
        derived["aws:principalservicename"] = caller.text
    if caller.is_iam:
        derived["aws:principalarn"] = caller.principal_arn
    if caller.account:
        derived["aws:principalaccount"] = caller.account
    if caller.kind in _PRINCIPAL_TYPES:
        derived["aws:principaltype"] = _PRINCIPAL_TYPES[caller.kind]
    if caller.kind is PrincipalKind.USER:
        derived["aws:username"] = caller.text.rsplit("/", 1)[-1]
    if resource_account:
        derived["aws:resourceaccount"] = resource_account
    return derived


def resource_kind(action: str, resource: str) -> ResourceKind:
    """Role trust policy and KMS key policy resources must allow explicitly."""
    return arn_resource_kind(action.lower(), parse_arn(resource))


def arn_resource_kind(action: str, arn: Arn | None) -> ResourceKind:
    """`resource_kind` for a lowercased action and a parsed ARN."""
    if arn is None:
        return ResourceKind.GENERAL
    is_role = arn.service == "iam" and arn.resource_type == "role"
    if action in TRUST_POLICY_ACTIONS and is_role:
        return ResourceKind.ROLE_TRUST
    if arn.service == "kms" and arn.resource_type == "key":
        return ResourceKind.KMS_KEY
    return ResourceKind.GENERAL
