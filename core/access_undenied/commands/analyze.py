"""`analyze`: explain each CloudTrail denial and propose the least-privilege fix.

Compatible with the earlier Access Undenied tool's command line. The account data
comes from a snapshot, from files the AWS CLI wrote, or, with AWS credentials and
nothing else given, from a collection limited to the accounts the events involve.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Generator, Iterable, Iterator
from datetime import datetime, timezone
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

NO_DATA_MESSAGE = (
    "analyze needs account data: pass --snapshot FILE, or --account-details FILE "
    "(one per account, from `aws iam get-account-authorization-details`) with "
    "--scp-file FILE and --resource-policies FILE, or configure AWS credentials "
    "(--profile) so that analyze can collect what its events need"
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `analyze` with the earlier tool's options and the new ones."""
    parser = subparsers.add_parser(
        "analyze",
        help="explain CloudTrail denials and propose least-privilege fixes",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--events-file",
        action="append",
        metavar="FILE",
        help="CloudTrail file (.json, .json.gz, JSON Lines, lookup-events output), "
        "directory tree, or - for stdin; repeatable",
    )
    data = parser.add_argument_group("account data")
    data.add_argument("--snapshot", metavar="FILE", help="a snapshot file")
    data.add_argument(
        "--account-details",
        action="append",
        default=[],
        metavar="FILE",
        help="`aws iam get-account-authorization-details` output; repeatable",
    )
    data.add_argument(
        "--scp-file", metavar="FILE", help="organization file written by get-scps"
    )
    data.add_argument(
        "--resource-policies",
        metavar="FILE",
        help='{"<ARN>": {policy}} or {"<ARN>": {"Account": ..., "Policy": {...}}}',
    )
    aws = parser.add_argument_group("collecting from AWS (when no data is given)")
    aws.add_argument("--management-account-role-arn", metavar="ARN")
    aws.add_argument(
        "--cross-account-role-name", default="AccessUndeniedRole", metavar="NAME"
    )
    aws.add_argument(
        "--use-aws-explanations",
        action="store_true",
        help="ask AWS (DecodeAuthorizationMessage, GetRequestAuthorizationDetails) "
        "and report where its answer differs",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--output-file", metavar="FILE", help='{"Results": [...]} file')
    out.add_argument(
        "--suppress-output",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="write nothing on stdout (default: not suppressed)",
    )
    out.add_argument("--format", choices=("json", "table"), default="json")
    parser.add_argument(
        "--workers",
        default="1",
        metavar="N",
        type=workers_option,
        help="processes that analyze files side by side, or auto for one per CPU; "
        "the output is the same, in the same order (default: 1)",
    )


def workers_option(text: str) -> str:
    """`--workers`: checked here, so a bad value is a usage error."""
    from access_undenied.analyze.parallel import worker_count

    try:
        worker_count(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"takes a number from 1, or auto, not {text!r}"
        ) from None
    return text


def run(args: argparse.Namespace) -> int:
    """Analyze every denial; 0 once every record has a result, 2 on usage errors.

    Bad records and unreadable files become `error` results, not a failed run.
    """
    from access_undenied.errors import InputError

    short_form = getattr(args, "short_form_file", None)
    sources = args.events_file or ([short_form] if short_form else [])
    if not sources:
        sys.stderr.write("analyze: give --events-file FILE (or - for stdin)\n")
        return 2
    try:
        snapshot = load_account_data(args, sources)
    except InputError as exc:
        sys.stderr.write(f"analyze: {exc}\n")
        return 2
    if snapshot is None:
        sys.stderr.write(f"analyze: {NO_DATA_MESSAGE}\n")
        return 2
    return analyze_sources(args, sources, snapshot)


# Signals that stop a run through its normal end, so the sinks are closed and no
# write is cut short (a fatal signal can stop a write between two pages).
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


class Stopped(KeyboardInterrupt):
    """The run was stopped by a signal; the results so far are written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def stop_signals_raise_stopped() -> Iterator[None]:
    """Within the block, the first stop signal raises `Stopped`; later ones wait.

    Handlers are set from the main thread only, never where a signal is ignored
    (as `nohup` ignores SIGHUP), and restored when the block ends.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    received: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        if not received:
            received.append(signum)
            raise Stopped(signum)

    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def analyze_sources(args: argparse.Namespace, sources: list[str], snapshot: Any) -> int:
    """Analyze under the stop signals; a stop ends with 128 + the signal's number."""
    from access_undenied.analyze.batch import batch_gc

    try:
        with stop_signals_raise_stopped(), batch_gc():
            return write_results(args, sources, snapshot)
    except Stopped as stop:
        name = signal.Signals(stop.signum).name
        sys.stderr.write(f"analyze: stopped by {name}; results so far written\n")
        return 128 + stop.signum


def write_results(args: argparse.Namespace, sources: list[str], snapshot: Any) -> int:
    """Read, analyze and write; the sinks are closed whatever happens."""
    from access_undenied.analyze import Analyzer
    from access_undenied.analyze.writers import ProgressBar
    from access_undenied.cloudtrail.models import ReadStats

    analyzer = Analyzer(snapshot)
    explainer = aws_explainer(args)
    sinks = open_sinks(args)
    progress = ProgressBar(sys.stderr, sys.stderr.isatty())
    stats = ReadStats()
    results = explained(args, sources, analyzer, explainer, stats)
    try:
        for result, line in results:
            for sink in sinks:
                sink.write(result, line)
            progress.tick()
    finally:
        results.close()
        progress.close()
        for sink in sinks:
            sink.close()
    logger.info("read: %s", stats.to_dict())
    if stats.errors:
        logger.warning(
            "%d input error(s), each reported as an error result", stats.errors
        )
    return 0


def explained(
    args: argparse.Namespace,
    sources: list[str],
    analyzer: Any,
    explainer: Any,
    stats: Any,
) -> Generator[tuple[Any, str], None, None]:
    """(result, line) of every item, from worker processes where they can help."""
    from access_undenied.analyze import parallel
    from access_undenied.cloudtrail.reader import iter_denials

    workers = parallel.worker_count(args.workers)
    files = parallel.input_files(sources) if workers > 1 else None
    if files is not None and len(files) > 1 and explainer is None:
        if parallel.can_fork():
            count = min(workers, len(files))
            yield from parallel.explain_in_parallel(analyzer, files, count, stats)
            return
        logger.warning("--workers: this platform cannot fork; one process is used")
    for item in chain_sources(sources, stats, iter_denials):
        result, line = analyzer.explain_item(item)
        if explainer is not None:
            result, line = explainer.annotate(item, result, line)
        yield result, line


def chain_sources(
    sources: Iterable[str], stats: Any, iter_denials: Any
) -> Iterator[Any]:
    """Every item of every source, in order."""
    for source in sources:
        yield from iter_denials(source, stats)


def open_sinks(args: argparse.Namespace) -> list[Any]:
    """The writers the options ask for."""
    from access_undenied.analyze.writers import (
        JsonLinesSink,
        ResultsFileSink,
        TableSink,
    )

    sinks: list[Any] = []
    if not args.suppress_output:
        table = args.format == "table"
        sinks.append(TableSink(sys.stdout) if table else JsonLinesSink(sys.stdout))
    if args.output_file:
        sinks.append(ResultsFileSink(args.output_file))
    return sinks


def aws_explainer(args: argparse.Namespace) -> Any:
    """The AWS explanations helper when asked for, with a session from --profile."""
    if not args.use_aws_explanations:
        return None
    from access_undenied.analyze.aws_explanations import AwsExplainer

    return AwsExplainer.from_profile(getattr(args, "profile", None))


def load_account_data(args: argparse.Namespace, sources: list[str]) -> Any:
    """The snapshot from --snapshot, from the files, or collected; None if none."""
    from access_undenied.snapshot import Snapshot, load_snapshot

    if args.snapshot:
        return load_snapshot(args.snapshot)
    if args.account_details or args.scp_file or args.resource_policies:
        from access_undenied.snapshot.from_files import build_from_files

        document = build_from_files(
            args.account_details, args.scp_file, args.resource_policies
        )
        return Snapshot.from_document(document)
    return collect_for_events(args, sources)


def collect_for_events(args: argparse.Namespace, sources: list[str]) -> Any:
    """Collect the accounts the events involve into a cache snapshot; None if no
    credentials are at hand."""
    session = credentials_session(getattr(args, "profile", None))
    if session is None or "-" in sources:
        if session is not None:
            sys.stderr.write("analyze: cannot collect for events read from stdin\n")
        return None
    from access_undenied.snapshot import Snapshot
    from access_undenied.snapshot.collect import CollectOptions, collect_snapshot
    from access_undenied.snapshot.write import write_snapshot

    accounts, regions = accounts_and_regions(sources)
    options = CollectOptions(
        accounts=tuple(sorted(accounts)),
        cross_account_role_name=args.cross_account_role_name,
        management_account_role_arn=args.management_account_role_arn,
        regions=tuple(sorted(regions)),
    )
    document = collect_snapshot(session, options)
    path = cache_path(accounts)
    write_snapshot(document, path)
    sys.stderr.write(
        f"analyze: collected accounts {', '.join(sorted(accounts))} (whole accounts, "
        f"not only the principals the events name) into {path}; pass "
        f"--snapshot {path} to reuse it\n"
    )
    return Snapshot.from_document(document)


def credentials_session(profile: str | None) -> Any:
    """A boto3 Session with credentials, or None (boto3 missing or no credentials)."""
    try:
        import boto3
    except ImportError:
        return None
    try:
        session = boto3.Session(profile_name=profile)
        if session.get_credentials() is None:
            return None
    except Exception as exc:  # botocore's ProfileNotFound and config errors
        logger.info("no AWS credentials: %s", exc)
        return None
    return session


def accounts_and_regions(sources: list[str]) -> tuple[set[str], set[str]]:
    """The accounts (callers and resource owners) and regions the events name."""
    from access_undenied.cloudtrail.arns import is_account_id
    from access_undenied.cloudtrail.models import RecordItem
    from access_undenied.cloudtrail.reader import iter_denials
    from access_undenied.cloudtrail.request import build_request

    accounts: set[str] = set()
    regions: set[str] = set()
    for source in sources:
        for item in iter_denials(source):
            if not isinstance(item, RecordItem):
                continue
            request = build_request(item.record)
            for account in (request.principal.account_id, request.resource_account):
                if account and is_account_id(account):
                    accounts.add(account)
            if request.region:
                regions.add(request.region)
    return accounts, regions


def cache_path(accounts: Iterable[str]) -> str:
    """Where the collected snapshot is written: named by accounts and time.

    Only account ids (twelve ASCII digits) enter the name: event text never does.
    """
    from access_undenied.cloudtrail.arns import is_account_id

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    label = "-".join(sorted(a for a in accounts if is_account_id(a)))[:60] or "none"
    return os.path.join(
        os.getcwd(), f"access-undenied-snapshot-{label}-{stamp}.json.gz"
    )
