"""`summarize`: denials grouped by principal, reason and policy, with merged fixes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `summarize --results-file F | --events-file F (with account data)`."""
    parser = subparsers.add_parser(
        "summarize",
        help="group denials by principal, reason and policy; merge the fixes",
    )
    parser.add_argument(
        "--results-file",
        metavar="FILE",
        help='output of analyze: {"Results": [...]} or JSON Lines; - for stdin',
    )
    parser.add_argument("--events-file", action="append", metavar="FILE")
    parser.add_argument("--snapshot", metavar="FILE")
    parser.add_argument("--account-details", action="append", default=[])
    parser.add_argument("--scp-file", metavar="FILE")
    parser.add_argument("--resource-policies", metavar="FILE")
    parser.add_argument("--format", choices=("json", "table"), default="table")


def run(args: argparse.Namespace) -> int:
    """Summarize the results given, or analyze the events first."""
    from access_undenied.analyze.summarize import render_table, summarize
    from access_undenied.errors import InputError

    try:
        results = list(read_results(args))
    except InputError as exc:
        sys.stderr.write(f"summarize: {exc}\n")
        return 2
    summary = summarize(results)
    if args.format == "json":
        sys.stdout.write(json.dumps(summary.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(render_table(summary))
    return 0


def read_results(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    """Results from --results-file, or from analyzing --events-file."""
    from access_undenied.errors import InputError

    if args.results_file:
        yield from read_results_file(args.results_file)
        return
    if not args.events_file:
        raise InputError("give --results-file FILE, or --events-file FILE with data")
    from access_undenied.analyze import Analyzer
    from access_undenied.cloudtrail.reader import iter_denials
    from access_undenied.commands.analyze import NO_DATA_MESSAGE, load_account_data

    args.management_account_role_arn = None
    args.cross_account_role_name = "AccessUndeniedRole"
    snapshot = load_account_data(args, args.events_file)
    if snapshot is None:
        raise InputError(NO_DATA_MESSAGE)
    analyzer = Analyzer(snapshot)
    for source in args.events_file:
        for item in iter_denials(source):
            yield dict(analyzer.explain_item(item)[0])


def read_results_file(path: str) -> Iterator[dict[str, Any]]:
    """`{"Results": [...]}` or one result per line."""
    from access_undenied.errors import InputError

    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"results file {path!r}: {exc}") from exc
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if isinstance(document, dict) and isinstance(document.get("Results"), list):
        yield from checked_results(document["Results"], path)
        return
    if isinstance(document, dict):
        yield from checked_results([document], path)
        return
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            result = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
            raise InputError(f"{path}: line {number} is not JSON ({reason})") from exc
        yield from checked_results([result], f"{path}: line {number}")


# Python type -> the JSON name, for messages about a value of the wrong kind.
JSON_KINDS: dict[type, str] = {
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def checked_results(results: list[Any], where: str) -> Iterator[dict[str, Any]]:
    """Each result, an object whose members summarize reads have their types.

    Results are read back from a file a person may have edited, so they are parsed
    at this boundary: anything else is an InputError naming the result and field.
    """
    from access_undenied.analyze.summarize import input_errors
    from access_undenied.errors import InputError

    for index, result in enumerate(results):
        if not isinstance(result, dict):
            kind = JSON_KINDS.get(type(result), type(result).__name__)
            raise InputError(f"{where}: a result is a JSON {kind}, not an object")
        errors = input_errors(result)
        if errors:
            raise InputError(f"{where}: result {index} is not a result: {errors[0]}")
        yield result
