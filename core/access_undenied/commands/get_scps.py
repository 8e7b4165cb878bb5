"""`get-scps`: write the organization file (tree, SCPs and RCPs) from AWS."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from access_undenied.errors import AccessUndeniedError

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `get-scps`."""
    parser = subparsers.add_parser(
        "get-scps",
        help="write the organization's tree, SCPs and RCPs to a file "
        "(run from the management account)",
    )
    parser.add_argument(
        "--output-file",
        default="scp_data.json",
        metavar="F",
        help="organization file to write (default scp_data.json)",
    )


def run(args: argparse.Namespace) -> int:
    """Read the organization and write it; 1 when it cannot be read."""
    from access_undenied.commands.collect import new_session
    from access_undenied.snapshot.collect import read_organization_file_data

    try:
        nodes, errors = read_organization_file_data(new_session(args.profile))
    except AccessUndeniedError as exc:
        logger.error("%s", exc)
        return 1
    for error in errors:
        logger.error(
            "organizations:%s failed: %s", error["operation"], error["error_code"]
        )
    if not nodes:
        logger.error("no organization could be read; nothing written")
        return 1

    from access_undenied.snapshot.write import write_json_private

    write_json_private(nodes, args.output_file)
    return 1 if errors else 0
