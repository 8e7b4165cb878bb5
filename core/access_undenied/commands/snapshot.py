"""`snapshot build` assembles a snapshot from files; `snapshot show` summarises one."""

from __future__ import annotations

import argparse
import collections
import logging
import sys
from typing import Any

from access_undenied.errors import InputError

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `snapshot build` and `snapshot show`."""
    parser = subparsers.add_parser(
        "snapshot", help="build a snapshot from AWS CLI files, or summarise one"
    )
    actions = parser.add_subparsers(dest="snapshot_action", metavar="ACTION")
    actions.required = True

    build = actions.add_parser("build", help="build a snapshot from files")
    build.add_argument("--output", required=True, metavar="S", help="snapshot to write")
    add_file_options(build)

    show = actions.add_parser("show", help="print a short summary of a snapshot")
    show.add_argument("snapshot", metavar="S", help="snapshot file (.json or .gz)")


def add_file_options(parser: argparse.ArgumentParser) -> None:
    """The file inputs a snapshot can be built from (shared with `analyze`)."""
    parser.add_argument(
        "--account-details",
        action="append",
        default=[],
        metavar="FILE",
        help="output of `aws iam get-account-authorization-details`; repeatable",
    )
    parser.add_argument(
        "--scp-file", metavar="FILE", help="organization file written by get-scps"
    )
    parser.add_argument(
        "--resource-policies",
        metavar="FILE",
        help='{"<ARN>": {policy}} or {"<ARN>": {"Account": "...", "Policy": {...}}}',
    )


def run(args: argparse.Namespace) -> int:
    """Run `snapshot build` or `snapshot show`; 1 on bad input."""
    try:
        if args.snapshot_action == "build":
            return run_build(args)
        return run_show(args)
    except InputError as exc:
        logger.error("%s", exc)
        return 1


def run_build(args: argparse.Namespace) -> int:
    """Build, validate and write a snapshot from the given files."""
    from access_undenied.snapshot.from_files import build_from_files
    from access_undenied.snapshot.model import Snapshot
    from access_undenied.snapshot.write import write_snapshot

    if not (args.account_details or args.scp_file or args.resource_policies):
        raise InputError("give --account-details, --scp-file or --resource-policies")
    document = build_from_files(
        args.account_details, args.scp_file, args.resource_policies
    )
    Snapshot.from_document(document)
    write_snapshot(document, args.output)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print a short summary of a snapshot to stdout."""
    from access_undenied.snapshot.load import load_snapshot

    snapshot = load_snapshot(args.snapshot)
    sys.stdout.write("\n".join(summary_lines(snapshot)) + "\n")
    return 0


def summary_lines(snapshot: Any) -> list[str]:
    """The lines of `snapshot show`."""
    source = snapshot.source
    lines = [
        f"created_at: {snapshot.created_at.isoformat()}",
        f"source: {source.get('method')} {' '.join(source.get('inputs', []))}".rstrip(),
        f"accounts: {len(snapshot.account_ids)}",
    ]
    for account_id, account in snapshot.accounts.items():
        lines.append(
            f"  {account_id}: {len(account.user_arns)} users, "
            f"{len(account.role_arns)} roles, {len(account.group_arns)} groups, "
            f"{len(account.managed_policy_arns)} managed policies"
        )
    lines += organization_lines(snapshot.organization)
    lines += resource_lines(snapshot)
    errors = snapshot.collection_errors
    lines.append(f"collection errors: {len(errors)}")
    lines += [
        f"  {e.account_id} {e.service}:{e.operation} {e.error_code}" for e in errors
    ]
    return lines


def organization_lines(organization: Any) -> list[str]:
    """Summary lines of the organization, if any."""
    if organization is None:
        return ["organization: none"]
    return [
        f"organization: {organization.id} "
        f"(management account {organization.management_account_id}, "
        f"{len(organization.account_ids)} accounts)"
    ]


def resource_lines(snapshot: Any) -> list[str]:
    """Resource policies by type, and how many have no known owner."""
    by_type: collections.Counter[str] = collections.Counter()
    unknown_owner = 0
    for arn in snapshot.resource_arns:
        record = snapshot.resource_policy(arn)
        by_type[record.resource_type or "unknown type"] += 1
        unknown_owner += record.account_id is None
    lines = [f"resource policies: {sum(by_type.values())}"]
    lines += [f"  {name}: {count}" for name, count in sorted(by_type.items())]
    if unknown_owner:
        lines.append(f"  owner account unknown: {unknown_owner}")
    return lines
