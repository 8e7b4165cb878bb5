"""The organization of a loaded snapshot: nodes, paths and attached SCPs/RCPs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from access_undenied.snapshot.arns import split_arn
from access_undenied.snapshot.records import (
    ACCOUNT_NODE_TYPE,
    OrgNode,
    PolicyRecord,
    PolicyType,
)

RawEntry = Mapping[str, Any]

# Organizations policy type -> the policy type the evaluation knows it by.
ORG_POLICY_TYPES: dict[str, PolicyType] = {
    "SERVICE_CONTROL_POLICY": PolicyType.SCP,
    "RESOURCE_CONTROL_POLICY": PolicyType.RCP,
}

# A path through more than this many nodes means the parent links loop.
MAX_DEPTH = 16


class OrganizationRecord:
    """An organization: its nodes by id and each account's path from the root."""

    def __init__(
        self,
        organization_id: str | None,
        management_account_id: str | None,
        nodes: Mapping[str, RawEntry],
    ) -> None:
        self.id = organization_id
        self.management_account_id = management_account_id
        self._raw = nodes
        self._nodes: dict[str, OrgNode] = {}
        self._paths: dict[str, tuple[OrgNode, ...]] = {}

    def contains(self, account_id: str) -> bool:
        """True when the account is a member of the organization."""
        raw = self._raw.get(account_id)
        return raw is not None and raw["organization_node_type"] == ACCOUNT_NODE_TYPE

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The member accounts, sorted."""
        return tuple(sorted(key for key in self._raw if self.contains(key)))

    def node(self, node_id: str) -> OrgNode | None:
        """A root, OU or account node by id."""
        cached = self._nodes.get(node_id)
        if cached is not None:
            return cached
        raw = self._raw.get(node_id)
        if raw is None:
            return None
        built = build_node(raw)
        self._nodes[node_id] = built
        return built

    def path(self, account_id: str) -> tuple[OrgNode, ...]:
        """The nodes from the root down to the account itself; empty if not a member.

        SCPs and RCPs apply at every level: a request must be allowed by the
        policies of each node on this path.
        """
        cached = self._paths.get(account_id)
        if cached is not None:
            return cached
        if not self.contains(account_id):
            return ()
        built = self._walk_up(account_id)
        self._paths[account_id] = built
        return built

    def _walk_up(self, account_id: str) -> tuple[OrgNode, ...]:
        nodes: list[OrgNode] = []
        node_id: str | None = account_id
        while node_id is not None and len(nodes) < MAX_DEPTH:
            node = self.node(node_id)
            if node is None:
                break
            nodes.append(node)
            node_id = node.parent_id
        return tuple(reversed(nodes))


def build_organization(section: RawEntry | None) -> OrganizationRecord | None:
    """The organization record of a snapshot's `organization` section."""
    if not section:
        return None
    nodes: Mapping[str, RawEntry] = section["nodes"]
    return OrganizationRecord(
        organization_id=section.get("id"),
        management_account_id=section.get("management_account_id"),
        nodes=nodes,
    )


def build_node(raw: RawEntry) -> OrgNode:
    """Build one node with its SCPs and RCPs as policy records."""
    policies = [build_org_policy(raw["arn"], entry) for entry in raw["policies"]]
    return OrgNode(
        id=raw["id"],
        arn=raw["arn"],
        name=raw.get("name", raw["id"]),
        node_type=raw["organization_node_type"],
        parent_id=raw.get("parent"),
        scps=tuple(p for p in policies if p.policy_type is PolicyType.SCP),
        rcps=tuple(p for p in policies if p.policy_type is PolicyType.RCP),
    )


def build_org_policy(node_arn: str, entry: RawEntry) -> PolicyRecord:
    """An SCP or RCP as attached to one node; the document is already decoded."""
    return PolicyRecord(
        policy_id=entry["Arn"],
        arn=entry["Arn"],
        name=entry.get("Name", entry["Id"]),
        policy_type=ORG_POLICY_TYPES[entry.get("Type", "SERVICE_CONTROL_POLICY")],
        attachment_target_arn=node_arn,
        aws_managed=bool(entry.get("AwsManaged", False)),
        document=entry["PolicyDocument"],
    )


def ids_from_node_arn(arn: str) -> tuple[str | None, str | None]:
    """(organization id, management account id) from a node ARN.

    Organizations ARNs read `arn:aws:organizations::<management>:<kind>/o-x/...`.
    """
    fields = split_arn(arn)
    if fields is None:
        return None, None
    parts = fields.resource.split("/")
    organization_id = parts[1] if len(parts) > 1 and parts[1].startswith("o-") else None
    return organization_id, fields.account or None
