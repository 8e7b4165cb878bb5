"""Frozen records a loaded snapshot hands out: principals, policies, org nodes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class PolicyType(str, Enum):
    """Where a policy sits in AWS's evaluation: its type and how it is attached."""

    INLINE = "inline"
    MANAGED = "managed"
    AWS_MANAGED = "aws_managed"
    GROUP_INLINE = "group_inline"
    GROUP_MANAGED = "group_managed"
    PERMISSIONS_BOUNDARY = "permissions_boundary"
    TRUST_POLICY = "trust_policy"
    RESOURCE_POLICY = "resource_policy"
    SCP = "scp"
    RCP = "rcp"


class PrincipalKind(str, Enum):
    """The IAM identities a snapshot holds policies for."""

    USER = "user"
    ROLE = "role"


@dataclass(frozen=True)
class PolicyRecord:
    """One policy document with its identity and where it is attached.

    `policy_id` is the managed policy ARN, or `<holder ARN>/<policy name>` for an
    inline policy; `arn` is the managed policy ARN, or the holder's ARN for an
    inline policy; `document` is the raw document, parsed later by `parse_policy`.
    """

    policy_id: str
    arn: str
    name: str
    policy_type: PolicyType
    attachment_target_arn: str
    aws_managed: bool
    document: Mapping[str, Any] = field(hash=False, repr=False)


@dataclass(frozen=True)
class PrincipalRecord:
    """An IAM user or role with every policy that governs what it may do.

    `identity_policies` holds inline and attached managed policies and, for a
    user, the inline and attached policies of its groups. `missing_policies` names
    attached policies (or groups) whose documents are not in the snapshot: an
    evaluation that needs them cannot be complete.
    """

    arn: str
    account_id: str
    kind: PrincipalKind
    name: str
    path: str
    unique_id: str
    tags: Mapping[str, str] = field(hash=False)
    identity_policies: tuple[PolicyRecord, ...]
    permissions_boundary: PolicyRecord | None
    trust_policy: PolicyRecord | None
    group_arns: tuple[str, ...] = ()
    missing_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourcePolicyRecord:
    """A resource-based policy with the account that owns the resource.

    `account_id` is None when nothing in the data says who owns the resource (an
    S3 bucket ARN carries no account); it is never guessed from a name.
    """

    arn: str
    account_id: str | None
    resource_type: str | None
    policy: PolicyRecord
    public_access_block: Mapping[str, bool] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class OrgNode:
    """A root, OU or account of an organization with the SCPs and RCPs attached."""

    id: str
    arn: str
    name: str
    node_type: str
    parent_id: str | None
    scps: tuple[PolicyRecord, ...]
    rcps: tuple[PolicyRecord, ...]

    @property
    def is_account(self) -> bool:
        """True for an account node (the last node of a path)."""
        return self.node_type == ACCOUNT_NODE_TYPE


@dataclass(frozen=True)
class CollectionError:
    """A call the collector could not make; what it would have read is missing."""

    account_id: str
    service: str
    operation: str
    error_code: str
    message: str = ""
    region: str | None = None


@dataclass(frozen=True)
class AccountRecord:
    """The identities one account holds in the snapshot, by ARN."""

    account_id: str
    user_arns: tuple[str, ...]
    role_arns: tuple[str, ...]
    group_arns: tuple[str, ...]
    managed_policy_arns: tuple[str, ...]


# The two node types of the organization file, as the earlier tool spelled them.
ACCOUNT_NODE_TYPE = "AWSAccount"
CONTAINER_NODE_TYPE = "Organizational Unit or Organization Root"
