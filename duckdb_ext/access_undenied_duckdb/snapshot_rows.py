"""The rows of the snapshot tables, read from a loaded `Snapshot`.

One generator per table; each yields tuples in the column order of `tables.py`.
Lists and JSON values are yielded as JSON text and typed in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from access_undenied.snapshot import (
    OrgNode,
    PolicyRecord,
    PolicyType,
    PrincipalKind,
    PrincipalRecord,
    Snapshot,
)

Row = tuple[Any, ...]

# How a managed policy is typed in `snapshot_policies` whatever it is attached as.
MANAGED_ATTACHMENTS = frozenset(
    {PolicyType.MANAGED, PolicyType.GROUP_MANAGED, PolicyType.PERMISSIONS_BOUNDARY}
)


def to_json(value: Any) -> str | None:
    """JSON text of a value; None stays None (SQL NULL)."""
    if value is None:
        return None
    return json.dumps(value, separators=(",", ":"), default=str)


def as_list(value: Any) -> list[Any]:
    """IAM's "a value or a list of values" as a list; absent is empty."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def principal_rows(snapshot: Snapshot) -> Iterator[Row]:
    """One row per IAM user and role."""
    for record in snapshot.principals():
        boundary = record.permissions_boundary
        yield (
            record.arn,
            record.account_id,
            record.kind.value,
            record.name,
            record.path,
            record.unique_id,
            to_json(dict(record.tags)),
            to_json(list(record.group_arns)),
            boundary.arn if boundary is not None else None,
            to_json(list(record.missing_policies)),
            session_arn_prefix(record),
        )


def session_arn_prefix(record: PrincipalRecord) -> str | None:
    """`arn:<partition>:sts::<account>:assumed-role/<name>/` for a role, else None.

    Every session of the role has an ARN that starts so (the role's path is not
    in it), which lets denials by a session join the role.
    """
    if record.kind is not PrincipalKind.ROLE:
        return None
    partition = record.arn.split(":")[1] if record.arn.count(":") >= 5 else "aws"
    return f"arn:{partition}:sts::{record.account_id}:assumed-role/{record.name}/"


def principal_policy_rows(snapshot: Snapshot) -> Iterator[Row]:
    """One row per policy that governs a principal, as it is attached there."""
    for record in snapshot.principals():
        attached = list(record.identity_policies)
        attached += [p for p in (record.permissions_boundary, record.trust_policy) if p]
        for policy in attached:
            yield (
                record.arn,
                policy.policy_id,
                policy.policy_type.value,
                policy.attachment_target_arn,
            )


def distinct_policies(snapshot: Snapshot) -> dict[str, PolicyRecord]:
    """Every policy of the snapshot once, by policy id."""
    policies: dict[str, PolicyRecord] = {}
    for principal in snapshot.principals():
        for policy in principal.identity_policies:
            policies.setdefault(policy.policy_id, policy)
        for extra in (principal.permissions_boundary, principal.trust_policy):
            if extra is not None:
                policies.setdefault(extra.policy_id, extra)
    for account in snapshot.accounts.values():
        for arn in account.managed_policy_arns:
            managed = snapshot.managed_policy(arn)
            if managed is not None:
                policies.setdefault(managed.policy_id, managed)
    for node in organization_nodes(snapshot):
        for policy in (*node.scps, *node.rcps):
            policies.setdefault(policy.policy_id, policy)
    for arn in snapshot.resource_arns:
        resource = snapshot.resource_policy(arn)
        if resource is not None:
            policies.setdefault(resource.policy.policy_id, resource.policy)
    return policies


def policy_type_of(policy: PolicyRecord) -> str:
    """The policy's own type; a managed one is `managed` or `aws_managed`."""
    if policy.policy_type in MANAGED_ATTACHMENTS:
        return PolicyType.AWS_MANAGED.value if policy.aws_managed else "managed"
    return policy.policy_type.value


def policy_rows(policies: Mapping[str, PolicyRecord]) -> Iterator[Row]:
    """One row per policy document."""
    for policy_id, policy in policies.items():
        yield (
            policy_id,
            policy.arn,
            policy.name,
            policy_type_of(policy),
            policy.aws_managed,
            len(statements_of(policy.document)),
            to_json(policy.document),
        )


def statements_of(document: Any) -> list[Any]:
    """The statements of a decoded policy document, as written."""
    if not isinstance(document, Mapping):
        return []
    return as_list(document.get("Statement"))


def statement_rows(policies: Mapping[str, PolicyRecord]) -> Iterator[Row]:
    """One row per statement of every policy, its lists normalised."""
    for policy_id, policy in policies.items():
        for index, statement in enumerate(statements_of(policy.document)):
            yield (policy_id, index, *statement_fields(statement))


def statement_fields(statement: Any) -> Row:
    """A statement's Sid, Effect, lists, Principal, Condition and whole text."""
    if not isinstance(statement, Mapping):
        empty = "[]"
        nothing = (None, None, None)
        return (None, None, empty, empty, empty, empty, *nothing, to_json(statement))
    return (
        statement.get("Sid"),
        statement.get("Effect"),
        to_json(as_list(statement.get("Action"))),
        to_json(as_list(statement.get("NotAction"))),
        to_json(as_list(statement.get("Resource"))),
        to_json(as_list(statement.get("NotResource"))),
        to_json(statement.get("Principal")),
        to_json(statement.get("NotPrincipal")),
        to_json(statement.get("Condition")),
        to_json(statement),
    )


def organization_nodes(snapshot: Snapshot) -> list[OrgNode]:
    """Every root, OU and account node of the snapshot's organization."""
    organization = snapshot.organization
    if organization is None:
        return []
    section = snapshot.document.get("organization") or {}
    nodes = (organization.node(node_id) for node_id in section.get("nodes", {}))
    return [node for node in nodes if node is not None]


def organization_node_rows(snapshot: Snapshot) -> Iterator[Row]:
    """One row per organization node, with the organization's ids."""
    organization = snapshot.organization
    if organization is None:
        return
    for node in organization_nodes(snapshot):
        yield (
            node.id,
            node.arn,
            node.name,
            node.node_type,
            node.parent_id,
            node.is_account,
            organization.id,
            organization.management_account_id,
        )


def organization_attachment_rows(snapshot: Snapshot) -> Iterator[Row]:
    """One row per SCP or RCP attached to an organization node."""
    for node in organization_nodes(snapshot):
        for policy in (*node.scps, *node.rcps):
            yield (
                node.id,
                node.arn,
                policy.policy_id,
                policy.policy_type.value,
                policy.name,
                policy.aws_managed,
            )


def resource_policy_rows(snapshot: Snapshot) -> Iterator[Row]:
    """One row per resource with a resource-based policy."""
    for arn in snapshot.resource_arns:
        record = snapshot.resource_policy(arn)
        if record is None:
            continue
        block = record.public_access_block
        yield (
            record.arn,
            record.account_id,
            record.resource_type,
            record.policy.policy_id,
            to_json(dict(block) if block is not None else None),
        )
