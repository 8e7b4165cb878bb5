"""Account snapshots: the loaded model, builders from files and AWS, load/write."""

from __future__ import annotations

from access_undenied.snapshot.load import load_snapshot
from access_undenied.snapshot.model import (
    AccountRecord,
    CollectionError,
    OrganizationRecord,
    OrgNode,
    PolicyRecord,
    PolicyType,
    PrincipalKind,
    PrincipalRecord,
    ResourcePolicyRecord,
    Snapshot,
)

__all__ = [
    "AccountRecord",
    "CollectionError",
    "OrgNode",
    "OrganizationRecord",
    "PolicyRecord",
    "PolicyType",
    "PrincipalKind",
    "PrincipalRecord",
    "ResourcePolicyRecord",
    "Snapshot",
    "load_snapshot",
]
