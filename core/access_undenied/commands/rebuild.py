"""`rebuild`: print the request rebuilt from each CloudTrail denial, as JSON Lines."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `rebuild --events-file PATH|-`."""
    parser = subparsers.add_parser(
        "rebuild",
        help="print the request rebuilt from each denial record, as JSON Lines",
    )
    parser.add_argument(
        "--events-file",
        action="append",
        required=True,
        metavar="PATH",
        help="CloudTrail file, directory tree or - for stdin; repeatable",
    )


def run(args: argparse.Namespace) -> int:
    """Write one JSON line per denial (or input error); 1 if any input was bad."""
    from access_undenied.cloudtrail import ReadError, ReadStats, build_request
    from access_undenied.cloudtrail.reader import iter_denials

    stats = ReadStats()
    out = sys.stdout
    for source in args.events_file:
        for item in iter_denials(source, stats):
            if isinstance(item, ReadError):
                line: dict[str, Any] = {
                    "source": item.source,
                    "index": item.index,
                    "error": item.message,
                }
            else:
                line = build_request(item.record).to_dict()
                line["source"] = item.source
            out.write(json.dumps(line, sort_keys=False) + "\n")

    sys.stderr.write(json.dumps({"stats": stats.to_dict()}) + "\n")
    return 1 if stats.errors else 0
