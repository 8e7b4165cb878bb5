"""Read the organization's tree and its SCPs and RCPs from the management account.

The result has the shape of the organization file (`get-scps`): nodes keyed by
id, each with its attached policies and their documents as strings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from access_undenied.snapshot.collect_aws import AccountClients, CallRecorder
from access_undenied.snapshot.records import ACCOUNT_NODE_TYPE, CONTAINER_NODE_TYPE

logger = logging.getLogger(__name__)

POLICY_FILTERS = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
SUMMARY_KEYS = ("Id", "Arn", "Name", "Description", "Type", "AwsManaged")


@dataclass
class OrganizationTree:
    """Nodes in the organization-file shape, and the state of each account."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    account_status: dict[str, str] = field(default_factory=dict)

    @property
    def active_accounts(self) -> list[str]:
        """Member accounts whose status is ACTIVE, sorted."""
        return sorted(a for a, s in self.account_status.items() if s == "ACTIVE")


class OrganizationReader:
    """Walks roots, OUs and accounts; reads each policy's content once."""

    def __init__(self, clients: AccountClients, recorder: CallRecorder) -> None:
        self._client = clients.client("organizations")
        self._recorder = recorder
        self._contents: dict[str, str | None] = {}

    def read(self) -> OrganizationTree | None:
        """The whole tree, or None when there is no organization or it is hidden."""
        described = self._call(
            "DescribeOrganization", self._client.describe_organization
        )
        if described is None:
            return None
        roots = self._pages("ListRoots", "list_roots")
        if roots is None:
            return None

        tree = OrganizationTree()
        pending: list[tuple[dict[str, Any], str | None, str]] = [
            (root, None, CONTAINER_NODE_TYPE) for p in roots for root in p["Roots"]
        ]
        while pending:
            entry, parent, node_type = pending.pop()
            tree.nodes[entry["Id"]] = self._node(entry, parent, node_type)
            if node_type == ACCOUNT_NODE_TYPE:
                tree.account_status[entry["Id"]] = entry.get("Status", "ACTIVE")
                continue
            pending += self._children(entry["Id"])
        return tree

    def _children(self, parent_id: str) -> Iterator[tuple[dict[str, Any], str, str]]:
        units = self._pages(
            "ListOrganizationalUnitsForParent",
            "list_organizational_units_for_parent",
            ParentId=parent_id,
        )
        for page in units or []:
            for unit in page["OrganizationalUnits"]:
                yield unit, parent_id, CONTAINER_NODE_TYPE
        accounts = self._pages(
            "ListAccountsForParent", "list_accounts_for_parent", ParentId=parent_id
        )
        for page in accounts or []:
            for account in page["Accounts"]:
                yield account, parent_id, ACCOUNT_NODE_TYPE

    def _node(
        self, entry: dict[str, Any], parent: str | None, node_type: str
    ) -> dict[str, Any]:
        return {
            "arn": entry["Arn"],
            "id": entry["Id"],
            "name": entry.get("Name", entry["Id"]),
            "organization_node_type": node_type,
            "parent": parent,
            "policies": list(self._policies(entry["Id"])),
        }

    def _policies(self, target_id: str) -> Iterator[dict[str, Any]]:
        for policy_filter in POLICY_FILTERS:
            pages = self._pages(
                "ListPoliciesForTarget",
                "list_policies_for_target",
                TargetId=target_id,
                Filter=policy_filter,
            )
            for page in pages or []:
                for summary in page["Policies"]:
                    content = self._content(summary["Id"])
                    if content is not None:
                        yield {key: summary.get(key) for key in SUMMARY_KEYS} | {
                            "PolicyDocument": content
                        }

    def _content(self, policy_id: str) -> str | None:
        if policy_id not in self._contents:
            described = self._call(
                "DescribePolicy",
                partial(self._client.describe_policy, PolicyId=policy_id),
            )
            self._contents[policy_id] = (
                None if described is None else described["Policy"]["Content"]
            )
        return self._contents[policy_id]

    def _pages(
        self, operation: str, method: str, **kwargs: Any
    ) -> list[dict[str, Any]] | None:
        paginator = self._client.get_paginator(method)
        pages: list[dict[str, Any]] | None = self._call(
            operation, lambda: list(paginator.paginate(**kwargs))
        )
        return pages

    def _call(self, operation: str, function: Any) -> Any:
        return self._recorder.call("organizations", operation, function)
