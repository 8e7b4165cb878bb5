"""The `aws-access-undenied` command line: global options and subcommand dispatch."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any, Protocol, cast

logger = logging.getLogger(__name__)

# Subcommand name -> module under access_undenied.commands. Each module has
# `register(subparsers)` that adds its parser and `run(args) -> int`. Modules are
# imported only when the command line is parsed, never at package import.
COMMANDS: dict[str, str] = {
    "analyze": "analyze",
    "rebuild": "rebuild",
    "snapshot": "snapshot",
    "collect": "collect",
    "get-scps": "get_scps",
    "simulate": "simulate",
    "summarize": "summarize",
}

VERBOSITY_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class CommandModule(Protocol):
    """What a subcommand module provides."""

    def register(self, subparsers: argparse._SubParsersAction[Any]) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with the global options and every subcommand."""
    parser = argparse.ArgumentParser(
        prog="aws-access-undenied",
        description="Explain AWS access denials and propose least-privilege fixes.",
    )
    parser.add_argument(
        "-v",
        "--verbosity",
        default="WARNING",
        type=str.upper,
        choices=VERBOSITY_LEVELS,
        metavar="LEVEL",
        help="one of CRITICAL, ERROR, WARNING, INFO or DEBUG (default WARNING)",
    )
    parser.add_argument("--profile", help="the AWS profile for commands that call AWS")
    parser.add_argument(
        "--file",
        dest="short_form_file",
        metavar="FILE",
        help="short form of `analyze --events-file FILE`",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in load_command_modules():
        module.register(subparsers)
    return parser


def load_command_modules() -> list[CommandModule]:
    """Import the subcommand modules named in COMMANDS."""
    modules = []
    for module_name in COMMANDS.values():
        module = importlib.import_module(f"access_undenied.commands.{module_name}")
        modules.append(cast(CommandModule, module))
    return modules


def configure_logging(level: str) -> None:
    """Send log records to stderr at the chosen level; only entry points do this."""
    logging.basicConfig(
        level=getattr(logging, level),
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(arguments)
    configure_logging(args.verbosity)

    if args.command is None and args.short_form_file:
        events_file = args.short_form_file
        analyze_arguments = ["analyze", "--events-file", events_file]
        global_arguments = arguments_without_file(arguments)
        args = parser.parse_args([*global_arguments, *analyze_arguments])
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2

    module_name = f"access_undenied.commands.{COMMANDS[args.command]}"
    module = cast(CommandModule, sys.modules[module_name])
    return module.run(args)


def arguments_without_file(arguments: list[str]) -> list[str]:
    """Drop `--file F` (or `--file=F`) from the global options."""
    kept: list[str] = []
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
            continue
        if argument == "--file":
            skip_next = True
            continue
        if argument.startswith("--file="):
            continue
        kept.append(argument)
    return kept


if __name__ == "__main__":
    raise SystemExit(main())
