"""Build a snapshot document from files a user already has.

`aws iam get-account-authorization-details` output (one file per account, or
several pages of one account), the organization file of `get-scps`, and a
resource policies file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from access_undenied import __version__
from access_undenied.errors import InputError
from access_undenied.snapshot.details import (
    account_of_details,
    empty_account,
    merge_details,
)
from access_undenied.snapshot.documents import read_json_file
from access_undenied.snapshot.organization import read_organization_file
from access_undenied.snapshot.resources import read_resource_policies_file

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


def build_from_files(
    account_details: Sequence[str | os.PathLike[str]] = (),
    scp_file: str | os.PathLike[str] | None = None,
    resource_policies: str | os.PathLike[str] | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A snapshot document assembled from the given files."""
    accounts: dict[str, Any] = {}
    for path in account_details:
        add_account_details_file(accounts, path)

    organization = read_organization_file(scp_file) if scp_file else None
    policies = (
        read_resource_policies_file(resource_policies) if resource_policies else {}
    )
    inputs = [
        os.fspath(p) for p in (*account_details, scp_file, resource_policies) if p
    ]
    return new_document(
        {"method": "files", "tool_version": __version__, "inputs": inputs},
        accounts,
        organization,
        policies,
        now=now,
    )


def add_account_details_file(
    accounts: dict[str, Any], path: str | os.PathLike[str]
) -> None:
    """Read one get-account-authorization-details file into its account's section."""
    where = os.fspath(path)
    details = read_json_file(path, "account details file")
    if not isinstance(details, dict):
        raise InputError(f"{where}: expected the JSON object the AWS CLI prints")

    section = empty_account()
    merge_details(section, details, where)
    account_id = account_of_details(section, where)
    if account_id is None:
        raise InputError(f"{where}: no entry names its account; is the file empty?")
    if details.get("IsTruncated"):
        logger.warning("%s is one page of several (IsTruncated); add the rest", where)

    target = accounts.setdefault(account_id, empty_account())
    for list_name, entries in section.items():
        target[list_name].extend(entries)


def new_document(
    source: dict[str, Any],
    accounts: dict[str, Any],
    organization: dict[str, Any] | None,
    resource_policies: dict[str, Any],
    collection_errors: list[dict[str, Any]] | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A snapshot document with every top-level field of the schema."""
    moment = now or datetime.now(timezone.utc)
    return {
        "format_version": FORMAT_VERSION,
        "created_at": moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": source,
        "accounts": accounts,
        "organization": organization,
        "resource_policies": resource_policies,
        "collection_errors": collection_errors or [],
    }
