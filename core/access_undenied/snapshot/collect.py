"""Collect a snapshot from AWS with an injected boto3 Session.

The organization is read from the management account (directly or through
`management_account_role_arn`); each account is read through its cross-account
role (the caller's own account through the caller's session). IAM, S3 and the
regional resource collectors of every account run in a bounded thread pool. A
call that fails is recorded in `collection_errors` and the rest goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access_undenied import __version__
from access_undenied.errors import InputError
from access_undenied.snapshot.arns import arn_account, split_arn
from access_undenied.snapshot.collect_aws import (
    AccountClients,
    CallRecorder,
    ErrorLog,
    SessionFactory,
    assume_role,
    default_session_factory,
)
from access_undenied.snapshot.collect_org import OrganizationReader, OrganizationTree
from access_undenied.snapshot.collect_services import (
    GLOBAL_COLLECTORS,
    REGIONAL_COLLECTORS,
    collect_iam,
    collect_resources,
)
from access_undenied.snapshot.from_files import new_document
from access_undenied.snapshot.organization import organization_section
from access_undenied.snapshot.progress import Progress

logger = logging.getLogger(__name__)

DEFAULT_ROLE_NAME = "AccessUndeniedRole"


class CollectError(InputError):
    """Collection cannot start: no usable credentials, or no accounts to read."""


@dataclass(frozen=True)
class CollectOptions:
    """What to collect: accounts, the roles to reach them, regions, parallelism."""

    accounts: tuple[str, ...] = ()
    all_accounts: bool = False
    cross_account_role_name: str = DEFAULT_ROLE_NAME
    management_account_role_arn: str | None = None
    regions: tuple[str, ...] = ()
    max_workers: int = 8


@dataclass(frozen=True)
class Caller:
    """Who runs the collector: account, ARN and partition."""

    account_id: str
    arn: str
    partition: str


def collect_snapshot(
    session: Any,
    options: CollectOptions = CollectOptions(),
    *,
    session_factory: SessionFactory | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A snapshot document read from AWS; failed calls are in `collection_errors`."""
    log = ErrorLog.empty()
    caller = identify_caller(session)
    base = AccountClients(caller.account_id, session)
    factory = session_factory or default_session_factory(session)
    progress = progress or Progress("collecting")

    tree = read_organization(base, caller, options, factory, log)
    account_ids = accounts_to_read(caller, options, tree)
    sections, policies = read_accounts(
        base, caller, account_ids, options, factory, log, progress
    )
    progress.close()

    organization = organization_section(tree.nodes) if tree and tree.nodes else None
    source = {
        "method": "collect",
        "tool_version": __version__,
        "caller_arn": caller.arn,
        "accounts": list(account_ids),
        "regions": list(regions_of(options, base)),
    }
    return new_document(source, sections, organization, policies, log.entries, now=now)


def identify_caller(session: Any) -> Caller:
    """The caller's account and ARN; without them nothing can be collected."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        identity = session.client("sts").get_caller_identity()
    except (ClientError, BotoCoreError) as exc:
        raise CollectError(
            f"cannot call sts:GetCallerIdentity ({exc}); check --profile and "
            "the credentials it uses"
        ) from exc
    fields = split_arn(identity["Arn"])
    partition = fields.partition if fields else "aws"
    return Caller(identity["Account"], identity["Arn"], partition)


def read_organization(
    base: AccountClients,
    caller: Caller,
    options: CollectOptions,
    factory: SessionFactory,
    log: ErrorLog,
) -> OrganizationTree | None:
    """The organization tree, read through the management role when given."""
    clients = base
    role_arn = options.management_account_role_arn
    if role_arn:
        role_account = arn_account(role_arn) or caller.account_id
        recorder = CallRecorder(log, role_account, None)
        credentials = assume_role(base, role_arn, recorder)
        if credentials is None:
            return None
        clients = AccountClients(role_account, factory(credentials, None))
    return OrganizationReader(
        clients, CallRecorder(log, clients.account_id, None)
    ).read()


def accounts_to_read(
    caller: Caller, options: CollectOptions, tree: OrganizationTree | None
) -> tuple[str, ...]:
    """The accounts asked for, every active member, or the caller's own account."""
    if options.accounts:
        return tuple(dict.fromkeys(options.accounts))
    if not options.all_accounts:
        return (caller.account_id,)
    if tree is None or not tree.account_status:
        raise CollectError(
            "--all-accounts needs the organization's account list; give "
            "--management-account-role-arn or run from the management account"
        )
    return tuple(tree.active_accounts)


def regions_of(options: CollectOptions, base: AccountClients) -> tuple[str, ...]:
    """The regions to read: those asked for, else the session's region."""
    return options.regions or (base.default_region,)


def read_accounts(
    base: AccountClients,
    caller: Caller,
    account_ids: tuple[str, ...],
    options: CollectOptions,
    factory: SessionFactory,
    log: ErrorLog,
    progress: Progress,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """IAM sections by account, and resource policies by ARN, read in parallel."""
    regions = regions_of(options, base)
    with ThreadPoolExecutor(max_workers=max(1, options.max_workers)) as pool:
        progress.add(len(account_ids))
        reachable = [
            clients
            for clients in pool.map(
                lambda a: reach_account(
                    base, caller, a, options, factory, log, progress
                ),
                account_ids,
            )
            if clients is not None
        ]
        tasks = [task for c in reachable for task in account_tasks(c, regions, log)]
        progress.add(len(tasks))
        results = list(pool.map(lambda task: run_task(task, log, progress), tasks))

    sections: dict[str, Any] = {}
    policies: dict[str, Any] = {}
    for (clients, service, _), result in zip(tasks, results):
        if result is None:
            continue
        if service == "iam":
            sections[clients.account_id] = result
        else:
            policies.update(result)
    return dict(sorted(sections.items())), policies


def reach_account(
    base: AccountClients,
    caller: Caller,
    account_id: str,
    options: CollectOptions,
    factory: SessionFactory,
    log: ErrorLog,
    progress: Progress,
) -> AccountClients | None:
    """Clients of an account: the caller's own, or its cross-account role's."""
    try:
        if account_id == caller.account_id:
            return base
        role_arn = (
            f"arn:{caller.partition}:iam::{account_id}:role/"
            f"{options.cross_account_role_name}"
        )
        credentials = assume_role(base, role_arn, CallRecorder(log, account_id, None))
        if credentials is None:
            return None
        return AccountClients(account_id, factory(credentials, None))
    finally:
        progress.advance()


Task = tuple[AccountClients, str, Callable[[], Any]]


def account_tasks(
    clients: AccountClients, regions: tuple[str, ...], log: ErrorLog
) -> list[Task]:
    """The units of work of one account: IAM, global and regional resources."""
    account = clients.account_id
    tasks: list[Task] = [
        (clients, "iam", lambda: collect_iam(clients, CallRecorder(log, account, None)))
    ]
    for service in GLOBAL_COLLECTORS:
        recorder = CallRecorder(log, account, None)
        tasks.append(
            (
                clients,
                service,
                bind(collect_resources, clients, service, None, recorder),
            )
        )
    for region in regions:
        for service in REGIONAL_COLLECTORS:
            recorder = CallRecorder(log, account, region)
            tasks.append(
                (
                    clients,
                    service,
                    bind(collect_resources, clients, service, region, recorder),
                )
            )
    return tasks


def bind(function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
    """A call with its arguments fixed now (not at loop end, as a closure would)."""
    return lambda: function(*args)


def run_task(task: Task, log: ErrorLog, progress: Progress) -> Any:
    """Run one unit of work; an unexpected error loses only that unit (recorded)."""
    clients, service, function = task
    try:
        return function()
    except Exception as exc:
        logger.debug(
            "collecting %s of %s failed", service, clients.account_id, exc_info=True
        )
        log.record(
            clients.account_id, service, "(collector)", type(exc).__name__, str(exc)
        )
        return None
    finally:
        progress.advance()


def read_organization_file_data(
    session: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The organization file's nodes (documents as strings) and the failed calls."""
    log = ErrorLog.empty()
    caller = identify_caller(session)
    clients = AccountClients(caller.account_id, session)
    tree = OrganizationReader(
        clients, CallRecorder(log, caller.account_id, None)
    ).read()
    return (tree.nodes if tree else {}), log.entries
