"""The loaded snapshot: raw AWS shapes indexed once, records built on first use.

Loading keeps the document's dicts and builds only dict indexes over them, so a
snapshot of tens of thousands of roles loads in little more than `json.load`
time; a `PrincipalRecord` is assembled the first time it is asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from access_undenied.snapshot.arns import arn_account, bucket_arn, split_arn
from access_undenied.snapshot.organization_model import (
    OrganizationRecord,
    build_organization,
)
from access_undenied.snapshot.principals import PrincipalBuilder
from access_undenied.snapshot.records import (
    AccountRecord,
    CollectionError,
    OrgNode,
    PolicyRecord,
    PolicyType,
    PrincipalKind,
    PrincipalRecord,
    ResourcePolicyRecord,
)

logger = logging.getLogger(__name__)

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
]

RawEntry = Mapping[str, Any]

# Key of a principal by name: (account id, kind, name).
NameKey = tuple[str, PrincipalKind, str]

# The detail lists of get-account-authorization-details that hold principals.
PRINCIPAL_LISTS: tuple[tuple[str, PrincipalKind, str, str], ...] = (
    ("UserDetailList", PrincipalKind.USER, "UserName", "UserId"),
    ("RoleDetailList", PrincipalKind.ROLE, "RoleName", "RoleId"),
)

# Resource policy display names, as the earlier tool named them.
RESOURCE_POLICY_NAMES: dict[str, str] = {
    "AWS::S3::Bucket": "S3BucketPolicy",
    "AWS::KMS::Key": "KmsKeyPolicy",
    "AWS::SQS::Queue": "SqsQueuePolicy",
    "AWS::SNS::Topic": "SnsTopicPolicy",
    "AWS::SecretsManager::Secret": "SecretsManagerSecretPolicy",
    "AWS::Lambda::Function": "LambdaFunctionPolicy",
    "AWS::ECR::Repository": "EcrRepositoryPolicy",
}


class Snapshot:
    """A snapshot of accounts, organization and resource policies, indexed.

    Every lookup is a dict lookup on indexes built once at load.
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document
        self._by_arn: dict[str, tuple[str, PrincipalKind, RawEntry]] = {}
        self._by_name: dict[NameKey, str] = {}
        self._by_id: dict[str, str] = {}
        self._groups: dict[tuple[str, str], RawEntry] = {}
        self._managed: dict[str, RawEntry] = {}
        self._principal_cache: dict[str, PrincipalRecord] = {}
        self._resource_cache: dict[str, ResourcePolicyRecord] = {}
        self._accounts: dict[str, Mapping[str, Any]] = dict(document["accounts"])
        self._index_accounts()
        self._builder = PrincipalBuilder(self._groups, self._managed)
        self._organization = build_organization(document.get("organization"))
        self._created_at = parse_timestamp(document["created_at"])

    @classmethod
    def from_document(
        cls, document: Mapping[str, Any], *, validate: bool = True
    ) -> Snapshot:
        """Build a snapshot from a decoded document, validated against the schema."""
        if validate:
            from access_undenied.snapshot.schema import validate_document

            validate_document(document)
        return cls(document)

    def _index_accounts(self) -> None:
        for account_id, account in self._accounts.items():
            self._index_principals(account_id, account)
            for group in account.get("GroupDetailList", ()):
                self._groups[(account_id, group["GroupName"])] = group
            for policy in account.get("Policies", ()):
                self._managed.setdefault(policy["Arn"], policy)

    def _index_principals(self, account_id: str, account: RawEntry) -> None:
        for list_name, kind, name_key, id_key in PRINCIPAL_LISTS:
            for entry in account.get(list_name, ()):
                arn = entry["Arn"]
                self._by_arn[arn] = (account_id, kind, entry)
                self._by_name[(account_id, kind, entry[name_key])] = arn
                self._by_id[entry[id_key]] = arn

    # -- what the snapshot is -------------------------------------------------

    @property
    def document(self) -> Mapping[str, Any]:
        """The raw document, as loaded (for writing it back out)."""
        return self._document

    @property
    def format_version(self) -> int:
        """The snapshot format version."""
        return int(self._document["format_version"])

    @property
    def created_at(self) -> datetime:
        """When the snapshot was made, timezone-aware (UTC)."""
        return self._created_at

    @property
    def source(self) -> Mapping[str, Any]:
        """How the snapshot was made: `method` (`files` or `collect`) and inputs."""
        source: Mapping[str, Any] = self._document["source"]
        return source

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The accounts whose IAM data the snapshot holds, sorted."""
        return tuple(sorted(self._accounts))

    @property
    def accounts(self) -> Mapping[str, AccountRecord]:
        """Per account, the ARNs of its users, roles, groups and managed policies."""
        return {key: self._account_record(key) for key in self.account_ids}

    def _account_record(self, account_id: str) -> AccountRecord:
        account = self._accounts[account_id]
        return AccountRecord(
            account_id=account_id,
            user_arns=tuple(e["Arn"] for e in account.get("UserDetailList", ())),
            role_arns=tuple(e["Arn"] for e in account.get("RoleDetailList", ())),
            group_arns=tuple(e["Arn"] for e in account.get("GroupDetailList", ())),
            managed_policy_arns=tuple(e["Arn"] for e in account.get("Policies", ())),
        )

    @property
    def collection_errors(self) -> tuple[CollectionError, ...]:
        """The calls the collector could not make; their data is missing."""
        return tuple(
            CollectionError(
                account_id=entry["account_id"],
                service=entry["service"],
                operation=entry["operation"],
                error_code=entry["error_code"],
                message=entry.get("message", ""),
                region=entry.get("region"),
            )
            for entry in self._document.get("collection_errors", ())
        )

    # -- principals -----------------------------------------------------------

    def principal(self, arn: str) -> PrincipalRecord | None:
        """The user or role an ARN names; an assumed-role session finds its role.

        `arn:aws:sts::A:assumed-role/R/S` finds role R of account A whatever the
        role's path; a user or role ARN whose path differs is found by name.
        """
        resolved = self._resolve_arn(arn)
        if resolved is None:
            return None
        return self._principal_record(resolved)

    def principal_by_id(self, unique_id: str) -> PrincipalRecord | None:
        """The user or role with this unique id (`AIDA...`, `AROA...`)."""
        arn = self._by_id.get(unique_id.split(":", 1)[0])
        if arn is None:
            return None
        return self._principal_record(arn)

    def principals(self, account_id: str | None = None) -> Iterator[PrincipalRecord]:
        """Every user and role, or those of one account."""
        for arn, (owner, _, _) in self._by_arn.items():
            if account_id is None or owner == account_id:
                yield self._principal_record(arn)

    def _resolve_arn(self, arn: str) -> str | None:
        if arn in self._by_arn:
            return arn
        fields = split_arn(arn)
        if fields is None:
            return None
        kind_name, _, rest = fields.resource.partition("/")
        kind = SESSION_KINDS.get((fields.service, kind_name))
        if kind is None or not rest:
            return None
        name = rest.split("/")[0] if fields.service == "sts" else rest.split("/")[-1]
        return self._by_name.get((fields.account, kind, name))

    def _principal_record(self, arn: str) -> PrincipalRecord:
        cached = self._principal_cache.get(arn)
        if cached is not None:
            return cached
        account_id, kind, entry = self._by_arn[arn]
        record = self._builder.build(account_id, kind, entry)
        self._principal_cache[arn] = record
        return record

    def managed_policy(self, arn: str) -> PolicyRecord | None:
        """A managed policy's default version, by policy ARN."""
        return self._builder.managed_policy(arn, arn, PolicyType.MANAGED)

    # -- resources ------------------------------------------------------------

    def resource_policy(self, arn: str) -> ResourcePolicyRecord | None:
        """The resource policy of a resource; an S3 object ARN finds its bucket's."""
        key = self._resource_key(arn)
        if key is None:
            return None
        cached = self._resource_cache.get(key)
        if cached is None:
            cached = build_resource_policy(key, self._resource_entries[key])
            self._resource_cache[key] = cached
        return cached

    def owner_account(self, resource_arn: str) -> str | None:
        """The account that owns a resource: from the data, else the ARN's account.

        None when neither says (an S3 bucket not in the snapshot); never a guess.
        """
        record = self.resource_policy(resource_arn)
        if record is not None and record.account_id is not None:
            return record.account_id
        return arn_account(resource_arn)

    @property
    def resource_arns(self) -> tuple[str, ...]:
        """The ARNs of every resource with a policy in the snapshot."""
        return tuple(self._resource_entries)

    @property
    def _resource_entries(self) -> Mapping[str, RawEntry]:
        entries: Mapping[str, RawEntry] = self._document.get("resource_policies", {})
        return entries

    def _resource_key(self, arn: str) -> str | None:
        if arn in self._resource_entries:
            return arn
        bucket = bucket_arn(arn)
        if bucket is not None and bucket in self._resource_entries:
            return bucket
        return None

    # -- organization ---------------------------------------------------------

    @property
    def organization(self) -> OrganizationRecord | None:
        """The organization, or None when the snapshot holds none."""
        return self._organization


# (service, first resource segment) -> kind of principal the ARN leads to.
SESSION_KINDS: dict[tuple[str, str], PrincipalKind] = {
    ("iam", "user"): PrincipalKind.USER,
    ("iam", "role"): PrincipalKind.ROLE,
    ("sts", "assumed-role"): PrincipalKind.ROLE,
}


def build_resource_policy(arn: str, entry: RawEntry) -> ResourcePolicyRecord:
    """Build the record of one `resource_policies` entry."""
    resource_type = entry.get("resource_type")
    name = RESOURCE_POLICY_NAMES.get(resource_type or "", "ResourcePolicy")
    policy = PolicyRecord(
        policy_id=arn,
        arn=arn,
        name=name,
        policy_type=PolicyType.RESOURCE_POLICY,
        attachment_target_arn=arn,
        aws_managed=False,
        document=entry["policy"],
    )
    return ResourcePolicyRecord(
        arn=arn,
        account_id=entry.get("account"),
        resource_type=resource_type,
        policy=policy,
        public_access_block=entry.get("public_access_block"),
    )


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; a naive one is taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment
