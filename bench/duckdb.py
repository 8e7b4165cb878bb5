"""Rows/s of `explain_denial` in DuckDB beside the CLI's events/s, on the same data.

Generates a snapshot (20 accounts, 2,000 roles, an organization with SCPs) and a
gzipped CloudTrail tree of denial records (Zipf over the 2,000 principals and 200
actions), then in one run times:

- the CLI, `aws-access-undenied analyze --events-file TREE --snapshot S`, JSON Lines
  to /dev/null, in a subprocess: events/s;
- `explain_denial(record)` over the records already in a DuckDB table, materialised
  with `CREATE TABLE ... AS`: rows/s (the function's own rate);
- `cloudtrail_denials(TREE)` end to end (DuckDB's `read_blob`, the core's reader
  in the Python function, explain): rows/s, and its error rows (should be none).

Usage: python bench/duckdb.py [--records 1000000] [--workdir bench/out/duckdb]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import time
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

# This script shares its name with the duckdb package: take its own folder off the
# import path, or `import duckdb` would import this file.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import duckdb  # noqa: E402
from access_undenied import iam_data  # noqa: E402
from access_undenied.snapshot.from_files import new_document  # noqa: E402
from access_undenied.snapshot.write import write_snapshot  # noqa: E402
from access_undenied_duckdb import register  # noqa: E402

ACCOUNTS = [f"{100000000000 + n * 1111:012d}" for n in range(20)]
ROLES_PER_ACCOUNT = 100
ACTION_COUNT = 200
RECORDS_PER_FILE = 10_000
MANAGEMENT = ACCOUNTS[0]
ORG = "o-benchbench1"

# Service -> (resource type whose actions are used, ARN of one resource).
SERVICES: dict[str, tuple[str, str]] = {
    "s3": ("object", "arn:aws:s3:::bench-{account}/data/{n}.csv"),
    "dynamodb": ("table", "arn:aws:dynamodb:eu-west-1:{account}:table/t{n}"),
    "sqs": ("queue", "arn:aws:sqs:eu-west-1:{account}:q{n}"),
    "sns": ("topic", "arn:aws:sns:eu-west-1:{account}:topic{n}"),
    "kms": ("key", "arn:aws:kms:eu-west-1:{account}:key/0000-{n}"),
    "lambda": ("function", "arn:aws:lambda:eu-west-1:{account}:function:f{n}"),
    "secretsmanager": (
        "Secret",
        "arn:aws:secretsmanager:eu-west-1:{account}:secret:s{n}",
    ),
}


def pick_actions(count: int) -> list[tuple[str, str]]:
    """`count` real actions with a resource type we can build an ARN for."""
    per_service = [service_actions(service) for service in SERVICES]
    chosen: list[tuple[str, str]] = []
    for rank in range(max(len(actions) for actions in per_service)):
        chosen += [actions[rank] for actions in per_service if rank < len(actions)]
    return chosen[:count]


def service_actions(service: str) -> list[tuple[str, str]]:
    """The service's actions on the resource type of `SERVICES`, with its ARN."""
    resource_type, template = SERVICES[service]
    names = sorted(
        entry["name"]
        for entry in iam_data.service_actions(service).values()
        if any(r.get("name") == resource_type for r in entry["resourceTypes"])
    )
    return [(f"{service}:{name}", template) for name in names]


def role_arn(account: str, n: int) -> str:
    """The ARN of bench role n of an account."""
    return f"arn:aws:iam::{account}:role/app-{n:03d}"


def role_entry(account: str, n: int, actions: list[tuple[str, str]]) -> dict[str, Any]:
    """A role allowed a few actions, some with a boundary."""
    granted = [actions[(n * 7 + k) % len(actions)][0] for k in range(5)]
    entry: dict[str, Any] = {
        "RoleName": f"app-{n:03d}",
        "RoleId": f"AROA{account}{n:08d}",
        "Arn": role_arn(account, n),
        "Path": "/",
        "AssumeRolePolicyDocument": document(
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
        "RolePolicyList": [
            {
                "PolicyName": "app",
                "PolicyDocument": document(
                    {"Effect": "Allow", "Action": granted, "Resource": "*"}
                ),
            }
        ],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "team", "Value": f"team-{n % 10}"}],
    }
    if n % 5 == 0:
        boundary = f"arn:aws:iam::{account}:policy/boundary"
        entry["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary,
        }
    return entry


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def account_entry(account: str, actions: list[tuple[str, str]]) -> dict[str, Any]:
    """One account's authorization details."""
    boundary = {
        "PolicyName": "boundary",
        "PolicyId": f"ANPA{account}",
        "Arn": f"arn:aws:iam::{account}:policy/boundary",
        "Path": "/",
        "DefaultVersionId": "v1",
        "PolicyVersionList": [
            {
                "Document": document(
                    {"Effect": "Allow", "Action": ["s3:*", "sqs:*"], "Resource": "*"}
                ),
                "VersionId": "v1",
                "IsDefaultVersion": True,
            }
        ],
    }
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [
            role_entry(account, n, actions) for n in range(ROLES_PER_ACCOUNT)
        ],
        "Policies": [boundary],
    }


def organization() -> dict[str, Any]:
    """Root (FullAWSAccess) > OU `restricted` (denies kms:*) > half the accounts."""
    full = org_policy("p-FullAWSAccess", "FullAWSAccess", "Allow", "*", "aws")
    deny = org_policy("p-denykms0001", "DenyKms", "Deny", "kms:*", MANAGEMENT)
    prefix = f"arn:aws:organizations::{MANAGEMENT}"
    nodes: dict[str, Any] = {
        "r-bench": node("r-bench", f"{prefix}:root/{ORG}/r-bench", None, [full]),
        "ou-bench-restricted": node(
            "ou-bench-restricted",
            f"{prefix}:ou/{ORG}/ou-bench-restricted",
            "r-bench",
            [full, deny],
        ),
    }
    for index, account in enumerate(ACCOUNTS):
        parent = "ou-bench-restricted" if index % 2 else "r-bench"
        arn = f"{prefix}:account/{ORG}/{account}"
        nodes[account] = node(account, arn, parent, [full], "AWSAccount")
    return {"id": ORG, "management_account_id": MANAGEMENT, "nodes": nodes}


def org_policy(
    policy_id: str, name: str, effect: str, action: str, owner: str
) -> dict[str, Any]:
    """An SCP as the snapshot holds it."""
    path = f"{ORG}/" if owner != "aws" else ""
    statement = {"Effect": effect, "Action": action, "Resource": "*"}
    return {
        "Id": policy_id,
        "Arn": f"arn:aws:organizations::{owner}:policy/{path}"
        f"service_control_policy/{policy_id}",
        "Name": name,
        "Type": "SERVICE_CONTROL_POLICY",
        "AwsManaged": owner == "aws",
        "PolicyDocument": document(statement),
    }


def node(
    node_id: str,
    arn: str,
    parent: str | None,
    policies: list[dict[str, Any]],
    kind: str = "Organizational Unit or Organization Root",
) -> dict[str, Any]:
    """One organization node."""
    return {
        "arn": arn,
        "id": node_id,
        "name": node_id,
        "organization_node_type": kind,
        "parent": parent,
        "policies": policies,
    }


def zipf_picker(count: int, rng: random.Random) -> Any:
    """A function returning 0..count-1 with Zipf weights (1/k)."""
    cumulative = list(accumulate(1.0 / (k + 1) for k in range(count)))
    total = cumulative[-1]
    return lambda: min(bisect(cumulative, rng.random() * total), count - 1)


def records(count: int, actions: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """Denial records, Zipf over principals and actions, seeded."""
    rng = random.Random(20261120)
    principals = [(a, n) for a in ACCOUNTS for n in range(ROLES_PER_ACCOUNT)]
    rng.shuffle(principals)
    pick_principal = zipf_picker(len(principals), rng)
    pick_action = zipf_picker(len(actions), rng)
    for index in range(count):
        account, n = principals[pick_principal()]
        action, template = actions[pick_action()]
        resource = template.format(account=account, n=n % 10)
        yield denial_record(index, account, n, action, resource)


def denial_record(
    index: int, account: str, n: int, action: str, resource: str
) -> dict[str, Any]:
    """One AccessDenied record from an assumed-role session."""
    session = f"arn:aws:sts::{account}:assumed-role/app-{n:03d}/i-{n:08x}"
    service, name = action.split(":")
    return {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA{account}{n:08d}:i-{n:08x}",
            "arn": session,
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{account}{n:08d}",
                    "arn": role_arn(account, n),
                    "accountId": account,
                    "userName": f"app-{n:03d}",
                },
                "attributes": {
                    "creationDate": "2026-11-20T08:00:00Z",
                    "mfaAuthenticated": "false",
                },
            },
        },
        "eventTime": event_time(index),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": f"10.0.{n % 250}.{index % 250}",
        "userAgent": "aws-sdk-go-v2/1.30.0",
        "errorCode": "AccessDenied",
        "errorMessage": f"User: {session} is not authorized to perform: {action} "
        f"on resource: {resource} because no identity-based policy allows the "
        f"{action} action",
        "requestParameters": None,
        "responseElements": None,
        "requestID": f"req-{index:010d}",
        "eventID": f"{index:08d}-0000-4000-8000-000000000000",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
    }


def event_time(index: int) -> str:
    """A distinct second of 2026-11-20 per record (modulo a day)."""
    hours, minutes, seconds = (index // 3600) % 24, (index // 60) % 60, index % 60
    return f"2026-11-20T{hours:02d}:{minutes:02d}:{seconds:02d}Z"


def write_tree(root: Path, count: int, actions: list[tuple[str, str]]) -> None:
    """The records as gzipped CloudTrail files in the S3 export layout."""
    folder = root / "AWSLogs" / MANAGEMENT / "CloudTrail" / "eu-west-1" / "2026/11/20"
    folder.mkdir(parents=True, exist_ok=True)
    batch: list[dict[str, Any]] = []
    number = 0
    for record in records(count, actions):
        batch.append(record)
        if len(batch) == RECORDS_PER_FILE:
            write_file(folder, number, batch)
            batch, number = [], number + 1
    if batch:
        write_file(folder, number, batch)


def write_file(folder: Path, number: int, batch: list[dict[str, Any]]) -> None:
    """One gzipped log file."""
    name = f"{MANAGEMENT}_CloudTrail_eu-west-1_20261120T{number:06d}Z.json.gz"
    data = json.dumps({"Records": batch}, separators=(",", ":")).encode()
    (folder / name).write_bytes(gzip.compress(data, compresslevel=1))


def prepare(workdir: Path, count: int) -> tuple[Path, Path]:
    """The snapshot file and the tree, generated unless already there."""
    snapshot = workdir / "snapshot.json.gz"
    tree = workdir / f"tree-{count}"
    actions = pick_actions(ACTION_COUNT)
    if not snapshot.exists():
        accounts = {a: account_entry(a, actions) for a in ACCOUNTS}
        source = {"method": "generated", "inputs": []}
        doc = new_document(source, accounts, organization(), {})
        write_snapshot(doc, snapshot)
    if not tree.exists():
        started = time.perf_counter()
        write_tree(tree, count, actions)
        print(f"generated {count:,} records in {time.perf_counter() - started:.1f} s")
    return snapshot, tree


def time_cli(snapshot: Path, tree: Path, count: int) -> Rates:
    """Events/s of the CLI, JSON Lines to /dev/null: wall clock and CPU time."""
    command = [
        sys.executable,
        "-m",
        "access_undenied",
        "analyze",
        "--events-file",
        str(tree),
        "--snapshot",
        str(snapshot),
    ]
    before = children_cpu()
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    return Rates(count / wall, count / (children_cpu() - before))


def children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Rates:
    """Items per second by the wall clock and per CPU second."""

    wall: float
    cpu: float

    def share_of(self, other: Rates) -> str:
        """This rate as a share of another, by the wall clock and by CPU time."""
        return f"{self.wall / other.wall:.0%} wall, {self.cpu / other.cpu:.0%} CPU"


class Stopwatch:
    """Wall clock and this process's CPU time (all threads) since creation."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def rates(self, count: int) -> Rates:
        """`count` items over the time elapsed."""
        wall = time.perf_counter() - self.wall
        return Rates(count / wall, count / (time.process_time() - self.cpu))


def glob_of(tree: Path) -> str:
    """The glob over every log file of the tree."""
    return str(tree / "AWSLogs" / "**" / "*.json.gz")


def time_duckdb(
    snapshot: Path, tree: Path, count: int, threads: int | None
) -> tuple[Rates, Rates]:
    """Rates of explain_denial over a records table, and of cloudtrail_denials."""
    con = duckdb.connect()
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    register(con, snapshot=snapshot)
    con.execute(
        "CREATE TABLE records AS SELECT unnest(json_extract(json, '$.Records[*]')) "
        "AS record FROM read_json_objects(?, format = 'unstructured', "
        "maximum_object_size = 1073741824)",
        [glob_of(tree)],
    )
    watch = Stopwatch()
    con.execute(
        "CREATE TABLE explained AS SELECT explain_denial(record) AS e FROM records"
    )
    function_rates = watch.rates(count)
    check_rows(con, count)

    register(con, snapshot=snapshot)  # a fresh analyzer: no warm caches
    watch = Stopwatch()
    con.execute(
        "CREATE TABLE denials AS SELECT * FROM cloudtrail_denials(?)", [glob_of(tree)]
    )
    macro_rates = watch.rates(count)
    errors = con.execute(
        "SELECT count(*) FROM denials WHERE error IS NOT NULL"
    ).fetchall()[0][0]
    print(f"cloudtrail_denials error rows: {errors:,}")
    con.close()
    return function_rates, macro_rates


def check_rows(con: Any, count: int) -> None:
    """Every row explained, and how many ended in an error (should be none)."""
    rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE e.reason_code = 'error') "
        "FROM explained"
    ).fetchall()[0]
    print(f"explained rows: {rows[0]:,} (errors: {rows[1]:,})")
    reasons = con.execute(
        "SELECT e.reason_code, count(*) FROM explained GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    print("reasons:", ", ".join(f"{code} {n:,}" for code, n in reasons))
    errors = con.execute(
        "SELECT e.error, count(*) FROM explained WHERE e.reason_code = 'error' "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 3"
    ).fetchall()
    for message, n in errors:
        print(f"error x{n:,}: {message}")


def main() -> int:
    """Generate (once), run both, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("bench/out/duckdb"))
    parser.add_argument("--threads", type=int, help="DuckDB threads (its default)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    snapshot, tree = prepare(args.workdir, args.records)
    cli = time_cli(snapshot, tree, args.records)
    function, macro = time_duckdb(snapshot, tree, args.records, args.threads)

    print(f"machine: {os.cpu_count()} cores, shared with other work (figures vary)")
    print(f"{'':34}{'wall':>12}{'CPU':>12}   (per second)")
    print(f"{'CLI analyze':34}{cli.wall:12,.0f}{cli.cpu:12,.0f}   events")
    print(
        f"{'DuckDB explain_denial(record)':34}{function.wall:12,.0f}"
        f"{function.cpu:12,.0f}   rows: {function.share_of(cli)} (goal 80%)"
    )
    print(
        f"{'DuckDB cloudtrail_denials(tree)':34}{macro.wall:12,.0f}"
        f"{macro.cpu:12,.0f}   rows: {macro.share_of(cli)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
