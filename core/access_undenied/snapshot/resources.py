"""Resource policy entries of a snapshot, and the `--resource-policies` file.

The file maps resource ARNs to either a policy document, or to
`{"Account": "<12 digits>", "Policy": {document}}` which also names the owner.
Without `Account`, the owner is the ARN's account field when it has one, and
unknown (null) otherwise: an S3 bucket's owner is never guessed from its name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from access_undenied.errors import InputError
from access_undenied.snapshot.arns import ACCOUNT_ID, arn_account, split_arn
from access_undenied.snapshot.arns import infer_resource_type as infer_type
from access_undenied.snapshot.documents import decode_policy_document, read_json_file

# Keys of the long form; the short form is the document itself.
LONG_FORM_KEYS = frozenset({"Account", "Policy", "ResourceType", "PublicAccessBlock"})


def resource_policy_entry(
    arn: str,
    document: Mapping[str, Any],
    account: str | None,
    resource_type: str | None = None,
    public_access_block: Mapping[str, bool] | None = None,
) -> dict[str, Any]:
    """One `resource_policies` entry of the snapshot document."""
    entry: dict[str, Any] = {
        "account": account,
        "resource_type": resource_type or infer_type(arn),
        "policy": dict(document),
    }
    if public_access_block is not None:
        entry["public_access_block"] = dict(public_access_block)
    return entry


def read_resource_policies_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a `--resource-policies` file into snapshot entries keyed by ARN."""
    where = os.fspath(path)
    raw = read_json_file(path, "resource policies file")
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expected a JSON object keyed by resource ARN")
    return {
        arn: parse_resource_value(arn, value, f"{where}: {arn}")
        for arn, value in raw.items()
    }


def parse_resource_value(arn: str, value: Any, where: str) -> dict[str, Any]:
    """Either form of one file entry, as a snapshot entry."""
    if split_arn(arn) is None:
        raise InputError(f"{where}: the key is not an ARN")
    if not is_long_form(value):
        return resource_policy_entry(
            arn, decode_policy_document(value, where), arn_account(arn)
        )

    account = value.get("Account")
    if account is not None and not (
        isinstance(account, str) and ACCOUNT_ID.match(account)
    ):
        raise InputError(f"{where}: Account {account!r} is not a 12-digit account id")
    return resource_policy_entry(
        arn,
        decode_policy_document(value["Policy"], f"{where}.Policy"),
        account if account is not None else arn_account(arn),
        value.get("ResourceType"),
        value.get("PublicAccessBlock"),
    )


def is_long_form(value: Any) -> bool:
    """True for `{"Account": ..., "Policy": ...}`, False for a bare document."""
    return (
        isinstance(value, Mapping)
        and "Policy" in value
        and "Statement" not in value
        and set(value) <= LONG_FORM_KEYS
    )
