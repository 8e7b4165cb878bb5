"""`simulate --request-file FILE|-`: evaluate one request, print the result JSON."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from access_undenied.errors import InputError

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the `simulate` subcommand."""
    parser = subparsers.add_parser(
        "simulate",
        help="evaluate one request against the given policies (JSON in, JSON out)",
        description=(
            "Evaluate one request (principal, action, resource, context and the "
            "policies of each layer) with AWS's evaluation logic and print the "
            "decision, the denying layers and the evidence as JSON."
        ),
    )
    parser.add_argument(
        "--request-file",
        required=True,
        metavar="FILE",
        help="the request JSON (see schemas/simulate-request.json); - for stdin",
    )


def run(args: argparse.Namespace) -> int:
    """Read the request, simulate it, print the result; 2 for bad input."""
    from access_undenied.engine.simulate import simulate

    try:
        request = read_request(args.request_file)
        result = simulate(request)
    except (InputError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    sys.stdout.write(json.dumps(result, indent=2) + "\n")
    return 0


def read_request(path: str) -> Any:
    """The request JSON from a file or stdin (`-`); InputError for anything else."""
    data = _read_stdin() if path == "-" else _read_file(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    except RecursionError as exc:
        raise InputError(f"{path}: the JSON is nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise InputError(f"{path}: not valid JSON ({exc})") from exc


def _read_stdin() -> bytes:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        data: bytes = buffer.read()
        return data
    return sys.stdin.read().encode("utf-8")


def _read_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
