"""`collect`: read a snapshot from AWS with boto3 (the `aws` extra)."""

from __future__ import annotations

import argparse
import logging
import re
from typing import Any

from access_undenied.errors import AccessUndeniedError, InputError

logger = logging.getLogger(__name__)

ACCOUNT_ID = re.compile(r"^\d{12}$")


def account_id(text: str) -> str:
    """An argparse type: a 12-digit account id."""
    if not ACCOUNT_ID.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a 12-digit account id")
    return text


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `collect`."""
    parser = subparsers.add_parser(
        "collect", help="collect a snapshot from AWS (uses --profile)"
    )
    parser.add_argument(
        "--output", required=True, metavar="S", help="snapshot to write"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--accounts",
        nargs="+",
        type=account_id,
        default=[],
        metavar="ID",
        help="accounts to read (default: the caller's own)",
    )
    which.add_argument(
        "--all-accounts",
        action="store_true",
        help="every active account of the organization",
    )
    parser.add_argument(
        "--cross-account-role-name",
        default="AccessUndeniedRole",
        metavar="NAME",
        help="role assumed in each account (default AccessUndeniedRole)",
    )
    parser.add_argument(
        "--management-account-role-arn",
        metavar="ARN",
        help="role in the management account to read the organization through",
    )
    parser.add_argument(
        "--regions",
        nargs="+",
        default=[],
        metavar="R",
        help="regions of regional resources (default: the profile's region)",
    )
    parser.add_argument(
        "--max-workers",
        type=int,
        default=8,
        metavar="N",
        help="calls in parallel (default 8)",
    )


def run(args: argparse.Namespace) -> int:
    """Collect and write the snapshot; 1 when collection cannot start."""
    from access_undenied.snapshot.collect import CollectOptions, collect_snapshot
    from access_undenied.snapshot.model import Snapshot
    from access_undenied.snapshot.write import write_snapshot

    options = CollectOptions(
        accounts=tuple(args.accounts),
        all_accounts=args.all_accounts,
        cross_account_role_name=args.cross_account_role_name,
        management_account_role_arn=args.management_account_role_arn,
        regions=tuple(args.regions),
        max_workers=args.max_workers,
    )
    try:
        document = collect_snapshot(new_session(args.profile), options)
        Snapshot.from_document(document)
    except AccessUndeniedError as exc:
        logger.error("%s", exc)
        return 1
    write_snapshot(document, args.output)
    errors = document["collection_errors"]
    if errors:
        logger.warning(
            "%d calls failed; see collection_errors in %s", len(errors), args.output
        )
    return 0


def new_session(profile: str | None) -> Any:
    """A boto3 Session for the global --profile; boto3 must be installed."""
    try:
        import boto3
    except ImportError as exc:
        raise InputError(
            "collecting needs boto3: pip install 'aws-access-undenied[aws]'"
        ) from exc
    return boto3.Session(profile_name=profile)
