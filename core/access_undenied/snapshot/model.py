"""The loaded snapshot: raw AWS shapes indexed once, records built on first use.

Loading keeps the document's dicts and builds only dict indexes over them, so a
snapshot of tens of thousands of roles loads in little more than `json.load`
time; a `PrincipalRecord` is assembled the first time it is asked for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any

from access_undenied.errors import SnapshotError
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

# An entry as held: a dict, or whatever the loader's decode function takes.
Ref = Any

# Detail list -> the fields an entry is indexed by (ARN first).
INDEX_FIELDS: dict[str, tuple[str, ...]] = {
    "UserDetailList": ("Arn", "UserName", "UserId"),
    "RoleDetailList": ("Arn", "RoleName", "RoleId"),
    "GroupDetailList": ("Arn", "GroupName"),
    "Policies": ("Arn",),
}

PRINCIPAL_KINDS: dict[str, PrincipalKind] = {
    "UserDetailList": PrincipalKind.USER,
    "RoleDetailList": PrincipalKind.ROLE,
}


def index_fields(list_name: str, entry: RawEntry) -> tuple[str, ...]:
    """The fields of an entry its list is indexed by."""
    return tuple(entry[name] for name in INDEX_FIELDS[list_name])


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

    Every lookup is a dict lookup on indexes built once at load. Entries are held
    either as dicts (`from_document`) or as spans of the file's text
    (`load_snapshot`), decoded when first used.
    """

    def __init__(
        self,
        document: Mapping[str, Any],
        *,
        decode: Callable[[Ref], RawEntry] | None = None,
        materialize: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        """Index a decoded document (not validated: use `from_document`).

        A loader that holds entries itself passes `decode` (ref -> entry) and a
        document without `accounts`, then calls `add_account` and `add_entry`.
        """
        self._top = document
        self._decode: Callable[[Ref], RawEntry] = decode or (lambda ref: ref)
        self._materialize = materialize
        self._by_arn: dict[str, tuple[str, PrincipalKind, Ref]] = {}
        self._by_name: dict[NameKey, str] = {}
        self._by_id: dict[str, str] = {}
        self._groups: dict[tuple[str, str], Ref] = {}
        self._managed: dict[str, Ref] = {}
        self._decoded: dict[Any, RawEntry] = {}
        self._arns: dict[str, dict[str, list[str]]] = {}
        self._principal_cache: dict[str, PrincipalRecord] = {}
        self._resource_cache: dict[str, ResourcePolicyRecord] = {}
        self._builder = PrincipalBuilder(self._group_entry, self._managed_entry)
        self._organization = build_organization(document.get("organization"))
        self._created_at = parse_timestamp(document["created_at"])
        if decode is None:
            self._index_document(document)

    @classmethod
    def from_document(
        cls, document: Mapping[str, Any], *, validate: bool = True
    ) -> Snapshot:
        """Build a snapshot from a decoded document, validated against the schema."""
        if validate:
            from access_undenied.snapshot.schema import validate_document

            validate_document(document)
        return cls(document)

    def _index_document(self, document: Mapping[str, Any]) -> None:
        for account_id, account in document.get("accounts", {}).items():
            self.add_account(account_id)
            for list_name in INDEX_FIELDS:
                for entry in account.get(list_name, ()):
                    fields = index_fields(list_name, entry)
                    self.add_entry(account_id, list_name, fields, entry)

    def add_account(self, account_id: str) -> None:
        """Record an account, even one whose detail lists are empty."""
        self._arns.setdefault(account_id, {})

    def add_entry(
        self, account_id: str, list_name: str, fields: tuple[str, ...], ref: Ref
    ) -> None:
        """Index one detail-list entry by the fields `index_fields` picked."""
        arn = fields[0]
        self._arns.setdefault(account_id, {}).setdefault(list_name, []).append(arn)
        kind = PRINCIPAL_KINDS.get(list_name)
        if kind is not None:
            self._by_arn[arn] = (account_id, kind, ref)
            self._by_name[(account_id, kind, fields[1])] = arn
            self._by_id[fields[2]] = arn
        elif list_name == "GroupDetailList":
            self._groups[(account_id, fields[1])] = ref
        else:
            self._managed.setdefault(arn, ref)

    def _group_entry(self, account_id: str, name: str) -> RawEntry | None:
        ref = self._groups.get((account_id, name))
        return (
            None if ref is None else self._decode_once(("group", account_id, name), ref)
        )

    def _managed_entry(self, arn: str) -> RawEntry | None:
        ref = self._managed.get(arn)
        return None if ref is None else self._decode_once(("policy", arn), ref)

    def _decode_once(self, key: Any, ref: Ref) -> RawEntry:
        # Shared entries are decoded once, so their documents stay one object.
        found = self._decoded.get(key)
        if found is None:
            found = self._decode(ref)
            self._decoded[key] = found
        return found

    # -- what the snapshot is -------------------------------------------------

    @property
    def document(self) -> Mapping[str, Any]:
        """The whole document (decoded again in full for a loaded file)."""
        if self._materialize is not None:
            return self._materialize()
        return self._top

    @property
    def format_version(self) -> int:
        """The snapshot format version."""
        return int(self._top["format_version"])

    @property
    def created_at(self) -> datetime:
        """When the snapshot was made, timezone-aware (UTC)."""
        return self._created_at

    @property
    def source(self) -> Mapping[str, Any]:
        """How the snapshot was made: `method` (`files` or `collect`) and inputs."""
        source: Mapping[str, Any] = self._top["source"]
        return source

    @property
    def account_ids(self) -> tuple[str, ...]:
        """The accounts whose IAM data the snapshot holds, sorted."""
        return tuple(sorted(self._arns))

    @property
    def accounts(self) -> Mapping[str, AccountRecord]:
        """Per account, the ARNs of its users, roles, groups and managed policies."""
        return {key: self._account_record(key) for key in self.account_ids}

    def _account_record(self, account_id: str) -> AccountRecord:
        arns = self._arns[account_id]
        return AccountRecord(
            account_id=account_id,
            user_arns=tuple(arns.get("UserDetailList", ())),
            role_arns=tuple(arns.get("RoleDetailList", ())),
            group_arns=tuple(arns.get("GroupDetailList", ())),
            managed_policy_arns=tuple(arns.get("Policies", ())),
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
            for entry in self._top.get("collection_errors", ())
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
        account_id, kind, ref = self._by_arn[arn]
        record = self._builder.build(account_id, kind, self._decode(ref))
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
        entries: Mapping[str, RawEntry] = self._top.get("resource_policies", {})
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


TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp to the second; a naive one is taken as UTC."""
    found = TIMESTAMP.match(text)
    try:
        if found is None:
            raise ValueError("not ISO 8601")
        moment = datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S")
        offset = found.group(2)
        if offset and offset != "Z":
            offset = offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"
            moment = datetime.fromisoformat(f"{found.group(1)}{offset}")
    except ValueError as exc:
        raise SnapshotError(f"snapshot created_at: {text!r} is not a time") from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
