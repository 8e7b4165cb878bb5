"""The organization file of `get-scps`: read it, write it, turn it into a section.

The file is a JSON object keyed by node id. Each node has `arn`, `id`, `name`,
`organization_node_type` (`AWSAccount` or `Organizational Unit or Organization
Root`), `parent` and `policies` (`Id`, `Arn`, `Name`, `Description`, `Type`,
`AwsManaged`, `PolicyDocument` as a string). Files of the earlier Access Undenied
tool have this shape and load as they are.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from access_undenied.errors import InputError
from access_undenied.snapshot.documents import decode_policy_document, read_json_file
from access_undenied.snapshot.organization_model import ids_from_node_arn
from access_undenied.snapshot.records import ACCOUNT_NODE_TYPE, CONTAINER_NODE_TYPE
from access_undenied.snapshot.write import write_json_private

logger = logging.getLogger(__name__)

NODE_TYPES = (ACCOUNT_NODE_TYPE, CONTAINER_NODE_TYPE)
POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
NODE_FIELDS = ("arn", "id", "organization_node_type", "policies")
POLICY_FIELDS = ("Id", "Arn", "PolicyDocument")


def read_organization_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read an organization file into the snapshot's `organization` section."""
    nodes = read_json_file(path, "organization file")
    return organization_section(nodes, where=os.fspath(path))


def organization_section(nodes: Any, where: str = "organization") -> dict[str, Any]:
    """Check the nodes of an organization file and decode their policy documents."""
    if not isinstance(nodes, Mapping) or not nodes:
        raise InputError(f"{where}: expected a JSON object of nodes keyed by id")
    section_nodes = {
        str(key): normalise_node(node, f"{where}: node {key}")
        for key, node in nodes.items()
    }
    organization_id, management_id = ids_of(section_nodes)
    return {
        "id": organization_id,
        "management_account_id": management_id,
        "nodes": section_nodes,
    }


def normalise_node(node: Any, where: str) -> dict[str, Any]:
    """One node with its fields checked and its policy documents decoded."""
    if not isinstance(node, Mapping):
        raise InputError(f"{where}: a node must be a JSON object")
    for name in NODE_FIELDS:
        if name not in node:
            raise InputError(f"{where}: field {name!r} is missing")
    if node["organization_node_type"] not in NODE_TYPES:
        raise InputError(
            f"{where}: organization_node_type {node['organization_node_type']!r} "
            f"is not one of {', '.join(NODE_TYPES)}"
        )

    policies = [
        normalise_policy(policy, f"{where}, policy {index}")
        for index, policy in enumerate(node["policies"])
    ]
    return {
        "arn": node["arn"],
        "id": node["id"],
        "name": node.get("name") or node["id"],
        "organization_node_type": node["organization_node_type"],
        "parent": node.get("parent"),
        "policies": policies,
    }


def normalise_policy(policy: Any, where: str) -> dict[str, Any]:
    """One SCP or RCP entry; `Type` defaults to an SCP, as the earlier tool wrote."""
    if not isinstance(policy, Mapping):
        raise InputError(f"{where}: a policy must be a JSON object")
    for name in POLICY_FIELDS:
        if name not in policy:
            raise InputError(f"{where}: field {name!r} is missing")
    policy_type = policy.get("Type", "SERVICE_CONTROL_POLICY")
    if policy_type not in POLICY_TYPES:
        raise InputError(f"{where}: Type {policy_type!r} is not an SCP or an RCP")

    return {
        "Id": policy["Id"],
        "Arn": policy["Arn"],
        "Name": policy.get("Name") or policy["Id"],
        "Description": policy.get("Description") or "",
        "Type": policy_type,
        "AwsManaged": bool(policy.get("AwsManaged", False)),
        "PolicyDocument": decode_policy_document(policy["PolicyDocument"], where),
    }


def ids_of(nodes: Mapping[str, Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """(organization id, management account id), read from the node ARNs."""
    for node in nodes.values():
        organization_id, management_id = ids_from_node_arn(node["arn"])
        if organization_id and management_id:
            return organization_id, management_id
    return None, None


def organization_file(section: Mapping[str, Any]) -> dict[str, Any]:
    """The organization file of a snapshot section (documents back to strings)."""
    return {
        node_id: {
            **node,
            "policies": [
                {**policy, "PolicyDocument": json.dumps(policy["PolicyDocument"])}
                for policy in node["policies"]
            ],
        }
        for node_id, node in section["nodes"].items()
    }


def write_organization_file(
    section: Mapping[str, Any], path: str | os.PathLike[str]
) -> None:
    """Write the organization file of a snapshot section, mode 0600."""
    write_json_private(organization_file(section), path)
    logger.info("wrote organization file %s", os.fspath(path))
