"""get-account-authorization-details output, normalised into an account section.

Documents are decoded into objects, managed policies keep only their default
version, and `InstanceProfileList` (copies of the roles) is dropped. Everything
else keeps AWS's own shape, so a user can read the snapshot like CLI output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from access_undenied.errors import InputError
from access_undenied.snapshot.arns import arn_account
from access_undenied.snapshot.documents import decode_policy_document

DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")

# Per detail list: the inline policy list key, and the name key of an entry.
INLINE_KEYS: dict[str, str] = {
    "UserDetailList": "UserPolicyList",
    "GroupDetailList": "GroupPolicyList",
    "RoleDetailList": "RolePolicyList",
}
NAME_KEYS: dict[str, str] = {
    "UserDetailList": "UserName",
    "GroupDetailList": "GroupName",
    "RoleDetailList": "RoleName",
    "Policies": "PolicyName",
}

DROPPED_KEYS = frozenset({"InstanceProfileList"})


def empty_account() -> dict[str, list[Any]]:
    """An account section with no entries."""
    return {name: [] for name in DETAIL_LISTS}


def account_of_details(details: Mapping[str, Any], where: str) -> str | None:
    """The one account the entries' ARNs name; an error if they name several."""
    found = (
        arn_account(entry.get("Arn", ""))
        for name in DETAIL_LISTS
        for entry in details.get(name, ())
    )
    accounts = {account for account in found if account is not None}
    if len(accounts) > 1:
        raise InputError(
            f"{where}: entries of several accounts ({', '.join(sorted(accounts))});"
            " give one file per account"
        )
    return accounts.pop() if accounts else None


def merge_details(
    section: dict[str, list[Any]], details: Mapping[str, Any], where: str
) -> None:
    """Add the normalised entries of one response page to an account section."""
    if not isinstance(details, Mapping):
        raise InputError(f"{where}: expected the JSON object the AWS CLI prints")
    for list_name in DETAIL_LISTS:
        entries = details.get(list_name, [])
        if not isinstance(entries, list):
            raise InputError(f"{where}: {list_name} must be a list")
        for index, entry in enumerate(entries):
            entry_where = f"{where}: {list_name}[{index}]"
            section[list_name].append(normalise_entry(list_name, entry, entry_where))


def normalise_entry(list_name: str, entry: Any, where: str) -> dict[str, Any]:
    """One user, group, role or managed policy entry, documents decoded."""
    if not isinstance(entry, Mapping) or "Arn" not in entry:
        raise InputError(f"{where}: an entry must be an object with an Arn")
    result = {k: jsonable(v) for k, v in entry.items() if k not in DROPPED_KEYS}
    if list_name == "Policies":
        return normalise_managed_policy(result, where)

    inline_key = INLINE_KEYS[list_name]
    result[inline_key] = [
        decode_inline(item, f"{where}.{inline_key}[{i}]")
        for i, item in enumerate(result.get(inline_key, []))
    ]
    if "AssumeRolePolicyDocument" in result:
        result["AssumeRolePolicyDocument"] = decode_policy_document(
            result["AssumeRolePolicyDocument"], f"{where}.AssumeRolePolicyDocument"
        )
    return result


def decode_inline(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    """An inline policy entry with its document decoded."""
    if "PolicyDocument" not in item:
        raise InputError(f"{where}: PolicyDocument is missing")
    document = decode_policy_document(item["PolicyDocument"], where)
    return {**item, "PolicyDocument": document}


def normalise_managed_policy(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """Keep only the default version; fill `PolicyName` from the ARN if absent."""
    default_id = entry.get("DefaultVersionId")
    versions = [
        version
        for version in entry.get("PolicyVersionList", [])
        if version.get("IsDefaultVersion") or version.get("VersionId") == default_id
    ]
    if not versions:
        raise InputError(f"{where}: no default version in PolicyVersionList")

    version = dict(versions[0])
    version["Document"] = decode_policy_document(version.get("Document"), where)
    entry["PolicyVersionList"] = [version]
    entry.setdefault("PolicyName", entry["Arn"].rsplit("/", 1)[-1])
    return entry


def jsonable(value: Any) -> Any:
    """A value with datetimes (as boto3 returns them) turned into ISO text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [jsonable(item) for item in value]
    return value


def entries_of(section: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """Every entry of an account section."""
    for list_name in DETAIL_LISTS:
        yield from section.get(list_name, ())
