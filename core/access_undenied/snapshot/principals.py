"""Assemble a `PrincipalRecord` from get-account-authorization-details entries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from access_undenied.snapshot.arns import split_arn
from access_undenied.snapshot.records import (
    PolicyRecord,
    PolicyType,
    PrincipalKind,
    PrincipalRecord,
)

RawEntry = Mapping[str, Any]

# Per kind: the key of its inline policy list in AWS's detail entries.
INLINE_LISTS: dict[PrincipalKind, str] = {
    PrincipalKind.USER: "UserPolicyList",
    PrincipalKind.ROLE: "RolePolicyList",
}

NAME_KEYS: dict[PrincipalKind, tuple[str, str]] = {
    PrincipalKind.USER: ("UserName", "UserId"),
    PrincipalKind.ROLE: ("RoleName", "RoleId"),
}


def is_aws_managed(policy_arn: str) -> bool:
    """True for a policy AWS owns (`arn:aws:iam::aws:policy/...`)."""
    fields = split_arn(policy_arn)
    return fields is not None and fields.account == "aws"


def default_document(policy: RawEntry) -> Mapping[str, Any] | None:
    """The document of a managed policy's default version, if the entry has it."""
    default_id = policy.get("DefaultVersionId")
    for version in policy.get("PolicyVersionList", ()):
        if version.get("IsDefaultVersion") or version.get("VersionId") == default_id:
            document: Mapping[str, Any] = version["Document"]
            return document
    return None


class PrincipalBuilder:
    """Builds principal records from the snapshot's group and policy indexes."""

    def __init__(
        self,
        group: Callable[[str, str], RawEntry | None],
        managed: Callable[[str], RawEntry | None],
    ) -> None:
        self._group = group
        self._managed = managed

    def build(
        self, account_id: str, kind: PrincipalKind, entry: RawEntry
    ) -> PrincipalRecord:
        """Build the record of one user or role entry."""
        arn = entry["Arn"]
        missing: list[str] = []
        policies = self._own_policies(kind, entry, missing)
        group_arns: list[str] = []
        if kind is PrincipalKind.USER:
            policies += self._group_policies(account_id, entry, group_arns, missing)

        name_key, id_key = NAME_KEYS[kind]
        return PrincipalRecord(
            arn=arn,
            account_id=account_id,
            kind=kind,
            name=entry[name_key],
            path=entry.get("Path", "/"),
            unique_id=entry.get(id_key, ""),
            tags={tag["Key"]: tag["Value"] for tag in entry.get("Tags", ())},
            identity_policies=tuple(policies),
            permissions_boundary=self._boundary(arn, entry, missing),
            trust_policy=trust_policy(arn, entry),
            group_arns=tuple(group_arns),
            missing_policies=tuple(missing),
        )

    def _own_policies(
        self, kind: PrincipalKind, entry: RawEntry, missing: list[str]
    ) -> list[PolicyRecord]:
        arn = entry["Arn"]
        inline = entry.get(INLINE_LISTS[kind], ())
        policies = list(inline_policies(arn, inline, PolicyType.INLINE))
        for attached in entry.get("AttachedManagedPolicies", ()):
            policy_arn = attached["PolicyArn"]
            policy_type = (
                PolicyType.AWS_MANAGED
                if is_aws_managed(policy_arn)
                else PolicyType.MANAGED
            )
            record = self.managed_policy(policy_arn, arn, policy_type)
            if record is None:
                missing.append(policy_arn)
            else:
                policies.append(record)
        return policies

    def _group_policies(
        self,
        account_id: str,
        entry: RawEntry,
        group_arns: list[str],
        missing: list[str],
    ) -> list[PolicyRecord]:
        policies: list[PolicyRecord] = []
        for group_name in entry.get("GroupList", ()):
            group = self._group(account_id, group_name)
            if group is None:
                missing.append(f"group {group_name} of account {account_id}")
                continue
            group_arn = group["Arn"]
            group_arns.append(group_arn)
            inline = group.get("GroupPolicyList", ())
            policies += inline_policies(group_arn, inline, PolicyType.GROUP_INLINE)
            for attached in group.get("AttachedManagedPolicies", ()):
                policy_arn = attached["PolicyArn"]
                record = self.managed_policy(
                    policy_arn, group_arn, PolicyType.GROUP_MANAGED
                )
                if record is None:
                    missing.append(policy_arn)
                else:
                    policies.append(record)
        return policies

    def _boundary(
        self, holder_arn: str, entry: RawEntry, missing: list[str]
    ) -> PolicyRecord | None:
        boundary = entry.get("PermissionsBoundary")
        if not boundary:
            return None
        policy_arn = boundary["PermissionsBoundaryArn"]
        record = self.managed_policy(
            policy_arn, holder_arn, PolicyType.PERMISSIONS_BOUNDARY
        )
        if record is None:
            missing.append(policy_arn)
        return record

    def managed_policy(
        self, policy_arn: str, target_arn: str, policy_type: PolicyType
    ) -> PolicyRecord | None:
        """A managed policy's default version as attached to a target, if known."""
        policy = self._managed(policy_arn)
        if policy is None:
            return None
        document = default_document(policy)
        if document is None:
            return None
        return PolicyRecord(
            policy_id=policy_arn,
            arn=policy_arn,
            name=policy.get("PolicyName") or policy_arn.rsplit("/", 1)[-1],
            policy_type=policy_type,
            attachment_target_arn=target_arn,
            aws_managed=is_aws_managed(policy_arn),
            document=document,
        )


def inline_policies(
    holder_arn: str, entries: Iterable[RawEntry], policy_type: PolicyType
) -> list[PolicyRecord]:
    """Records for the inline policies a user, group or role holds."""
    return [
        PolicyRecord(
            policy_id=f"{holder_arn}/{entry['PolicyName']}",
            arn=holder_arn,
            name=entry["PolicyName"],
            policy_type=policy_type,
            attachment_target_arn=holder_arn,
            aws_managed=False,
            document=entry["PolicyDocument"],
        )
        for entry in entries
    ]


def trust_policy(role_arn: str, entry: RawEntry) -> PolicyRecord | None:
    """The trust policy of a role (None for a user)."""
    document = entry.get("AssumeRolePolicyDocument")
    if document is None:
        return None
    return PolicyRecord(
        policy_id=f"{role_arn}/AssumeRolePolicyDocument",
        arn=role_arn,
        name="AssumeRolePolicyDocument",
        policy_type=PolicyType.TRUST_POLICY,
        attachment_target_arn=role_arn,
        aws_managed=False,
        document=document,
    )
