"""Benchmark: analyze end to end (read + rebuild + evaluate + explain + serialise).

Generates `--records` denial records (default 1,000,000) as gzipped CloudTrail files
of 1,000 records, Zipf-distributed over 2,000 principals (roles of 20 accounts,
a few sessions each) and 200 actions, and a 20-account snapshot with an
organization (SCPs that read `aws:RequestedRegion`, RCPs) and policies that read
`aws:SourceIp`. Then, each in a fresh child process so that peak memory is its own:

- baseline: gunzip and `json.loads` every file (the records' parse rate);
- analyze: `iter_denials` + `Analyzer.explain_item` + writing each JSON line to
  /dev/null, as `aws-access-undenied analyze` does, inside `batch_gc()` (the
  collector's young generation every 50,000 allocations instead of 700).

Rates are records per CPU second of the measuring process (`time.process_time`);
wall time is printed beside it. One core. The machine may be shared: repeat runs.

With --workers, a third phase runs the pipeline as `analyze --workers auto` does
(files explained in one forked process per CPU) and prints its wall-clock rate.

Usage: python bench/analyze.py [--records N] [--keep DIR] [--workers]
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
import tempfile
import time
from typing import Any

RECORDS_PER_FILE = 1000
ACCOUNTS = [f"{200000000000 + n * 1111:012d}" for n in range(20)]
MANAGEMENT = "999900000000"
ROLES_PER_ACCOUNT = 100
SESSIONS_PER_ROLE = 5
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]
ADDRESSES = [f"198.51.100.{n}" for n in range(1, 30)] + ["203.0.113.5"]
SERVICES = [
    "s3", "dynamodb", "sqs", "sns", "kms", "lambda", "ec2", "secretsmanager",
    "logs", "iam", "ecr", "cloudwatch", "ssm", "sts", "glue", "athena",
    "kinesis", "rds", "elasticloadbalancing", "cloudformation",
]  # fmt: skip
ORG = "o-benchorg001"


def pick_actions() -> list[str]:
    """200 real IAM actions: ten of each of twenty services."""
    from access_undenied import iam_data

    actions = []
    for service in SERVICES:
        names = sorted(iam_data.service_actions(service))[:10]
        actions += [iam_data.canonical_action(f"{service}:{n}") or n for n in names]
    return actions


def zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    """Cumulative Zipf weights over `count` ranks."""
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


def role_name(index: int) -> str:
    return f"role-{index:04d}"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def role_entry(account: str, index: int, actions: list[str]) -> dict[str, Any]:
    """A role with an inline policy allowing a tenth of the actions."""
    rng = random.Random(index)
    allowed = rng.sample(actions, 20)
    statements = [
        {
            "Sid": f"Allow{n}",
            "Effect": "Allow",
            "Action": allowed[n::4],
            "Resource": "*",
        }
        for n in range(4)
    ]
    if index % 7 == 0:
        statements.append(
            {
                "Sid": "OfficeOnly",
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/26"}},
            }
        )
    return {
        "RoleName": role_name(index),
        "RoleId": f"AROA{index:017d}",
        "Arn": f"arn:aws:iam::{account}:role/{role_name(index)}",
        "Path": "/",
        "AssumeRolePolicyDocument": doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ),
        "RolePolicyList": [
            {"PolicyName": "inline", "PolicyDocument": doc(*statements)}
        ],
        "AttachedManagedPolicies": [],
        "Tags": [{"Key": "team", "Value": f"t{index % 9}"}],
    }


def org_policy(pid: str, document: dict[str, Any], rcp: bool = False) -> Any:
    kind = "resource_control_policy" if rcp else "service_control_policy"
    return {
        "Id": pid,
        "Arn": f"arn:aws:organizations::{MANAGEMENT}:policy/{ORG}/{kind}/{pid}",
        "Name": pid,
        "Type": "RESOURCE_CONTROL_POLICY" if rcp else "SERVICE_CONTROL_POLICY",
        "AwsManaged": False,
        "PolicyDocument": json.dumps(document),
    }


def organization_file() -> dict[str, Any]:
    """Root, four OUs, twenty accounts; a region SCP on two OUs."""
    full = org_policy(
        "p-full", doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    )
    rcp = org_policy(
        "p-rcp",
        doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
        rcp=True,
    )
    regions = org_policy(
        "p-regions",
        doc(
            {
                "Sid": "DenyOtherRegions",
                "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": REGIONS[:2]}},
            }
        ),
    )
    container = "Organizational Unit or Organization Root"

    def node(ident: str, kind: str, parent: Any, policies: list[Any]) -> Any:
        return {
            "arn": f"arn:aws:organizations::{MANAGEMENT}:{kind}/{ORG}/{ident}",
            "id": ident,
            "name": ident,
            "organization_node_type": "AWSAccount" if kind == "account" else container,
            "parent": parent,
            "policies": policies,
        }

    nodes = {"r-root": node("r-root", "root", None, [full, rcp])}
    for ou in range(4):
        extra = [regions] if ou % 2 else []
        nodes[f"ou-{ou}"] = node(f"ou-{ou}", "ou", "r-root", [full, rcp, *extra])
    for n, account in enumerate(ACCOUNTS):
        nodes[account] = node(account, "account", f"ou-{n % 4}", [full, rcp])
    nodes[MANAGEMENT] = node(MANAGEMENT, "account", "r-root", [full, rcp])
    return nodes


def write_inputs(folder: str, records: int) -> None:
    """The account files, organization, resource policies and the records."""
    actions = pick_actions()
    for n, account in enumerate(ACCOUNTS):
        roles = [
            role_entry(account, n * ROLES_PER_ACCOUNT + k, actions)
            for k in range(ROLES_PER_ACCOUNT)
        ]
        details = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": roles}
        details["Policies"] = []
        with open(os.path.join(folder, f"account-{account}.json"), "w") as stream:
            json.dump(details, stream)
    with open(os.path.join(folder, "organization.json"), "w") as stream:
        json.dump(organization_file(), stream)
    with open(os.path.join(folder, "resource-policies.json"), "w") as stream:
        json.dump({}, stream)
    write_records(os.path.join(folder, "events"), records, actions)


def write_records(folder: str, count: int, actions: list[str]) -> None:
    """`count` denial records in gzipped CloudTrail files."""
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(7)
    principals = zipf_weights(len(ACCOUNTS) * ROLES_PER_ACCOUNT)
    action_weights = zipf_weights(len(actions))
    for start in range(0, count, RECORDS_PER_FILE):
        size = min(RECORDS_PER_FILE, count - start)
        batch = [
            record(rng, start + k, principals, action_weights, actions)
            for k in range(size)
        ]
        path = os.path.join(folder, f"events-{start // RECORDS_PER_FILE:05d}.json.gz")
        with gzip.open(path, "wt", compresslevel=1) as stream:
            json.dump({"Records": batch}, stream)


def record(
    rng: random.Random,
    number: int,
    principals: list[float],
    action_weights: list[float],
    actions: list[str],
) -> dict[str, Any]:
    """One denial record."""
    index = rng.choices(range(len(principals)), cum_weights=principals)[0]
    action = rng.choices(actions, cum_weights=action_weights)[0]
    account = ACCOUNTS[index // ROLES_PER_ACCOUNT]
    role = role_name(index)
    session_number = rng.randrange(SESSIONS_PER_ROLE)
    session = f"s-{session_number}"
    # A role works mostly in its home region, from its session's address.
    home = REGIONS[index % len(REGIONS)]
    region = home if rng.random() < 0.95 else rng.choice(REGIONS)
    address = ADDRESSES[(index + session_number) % len(ADDRESSES)]
    service = action.split(":")[0]
    resource = f"arn:aws:{service}:{home}:{account}:bench/item-{index % 50}"
    arn = f"arn:aws:sts::{account}:assumed-role/{role}/{session}"
    message = (
        f"User: {arn} is not authorized to perform: {action} on resource: "
        f"{resource} because no identity-based policy allows the {action} action"
    )
    return {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": f"AROA{index:017d}:{session}",
            "arn": arn,
            "accountId": account,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": f"AROA{index:017d}",
                    "arn": f"arn:aws:iam::{account}:role/{role}",
                    "accountId": account,
                    "userName": role,
                },
                "attributes": {"creationDate": "2026-11-20T08:00:00Z",
                               "mfaAuthenticated": "false"},
            },
        },
        "eventTime": f"2026-11-20T{number // 3600 % 24:02d}:{number // 60 % 60:02d}:"
        f"{number % 60:02d}Z",
        "eventSource": f"{service}.amazonaws.com",
        "eventName": action.split(":")[1],
        "awsRegion": region,
        "sourceIPAddress": address,
        "userAgent": "aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.8",
        "errorCode": "AccessDenied",
        "errorMessage": message,
        "requestParameters": None,
        "responseElements": None,
        "requestID": f"REQ{number:012d}",
        "eventID": f"{number:08x}-0000-4000-8000-{number:012x}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }  # fmt: skip


def phase_baseline(folder: str) -> dict[str, Any]:
    """gunzip + json.loads of every file."""
    events = os.path.join(folder, "events")
    count = 0
    for name in sorted(os.listdir(events)):
        with gzip.open(os.path.join(events, name), "rb") as stream:
            count += len(json.loads(stream.read())["Records"])
    return {"records": count}


def phase_analyze(folder: str) -> dict[str, Any]:
    """The analyze pipeline over every file, lines written to /dev/null."""
    from access_undenied.analyze import Analyzer
    from access_undenied.analyze.batch import batch_gc
    from access_undenied.cloudtrail.reader import iter_denials
    from access_undenied.snapshot import Snapshot

    analyzer = Analyzer(Snapshot.from_document(build_snapshot(folder)))
    codes: dict[str, int] = {}
    count = 0
    with open(os.devnull, "w") as sink, batch_gc():
        for item in iter_denials(os.path.join(folder, "events")):
            result, line = analyzer.explain_item(item)
            sink.write(line + "\n")
            code = result.reason_code
            codes[code] = codes.get(code, 0) + 1
            count += 1
    return {"records": count, "codes": codes, **analyzer.counts}


def phase_workers(folder: str) -> dict[str, Any]:
    """The same pipeline with `analyze --workers auto`: files in worker processes."""
    from access_undenied.analyze import Analyzer, parallel
    from access_undenied.analyze.batch import batch_gc
    from access_undenied.cloudtrail.models import ReadStats
    from access_undenied.snapshot import Snapshot

    analyzer = Analyzer(Snapshot.from_document(build_snapshot(folder)))
    files = parallel.input_files([os.path.join(folder, "events")]) or []
    workers = parallel.usable_cpus()
    count = 0
    with open(os.devnull, "w") as sink, batch_gc():
        for _, line in parallel.explain_in_parallel(
            analyzer, files, workers, ReadStats()
        ):
            sink.write(line + "\n")
            count += 1
    return {"records": count, "workers": workers}


def build_snapshot(folder: str) -> dict[str, Any]:
    """The snapshot document of the generated accounts and organization."""
    from access_undenied.snapshot.from_files import build_from_files

    accounts = sorted(
        os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("account-")
    )
    return build_from_files(
        accounts,
        os.path.join(folder, "organization.json"),
        os.path.join(folder, "resource-policies.json"),
    )


PHASES = {
    "baseline": phase_baseline,
    "analyze": phase_analyze,
    "workers": phase_workers,
}


def run_phase(name: str, folder: str) -> None:
    """Run one phase in this process and print its figures as JSON."""
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    figures = PHASES[name](folder)
    figures["cpu_seconds"] = time.process_time() - start_cpu
    figures["wall_seconds"] = time.perf_counter() - start_wall
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def child(name: str, folder: str) -> dict[str, Any]:
    """Run a phase in a fresh interpreter and read its figures."""
    output = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--dir", folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR, keep it")
    parser.add_argument(
        "--workers",
        action="store_true",
        help="also run with one worker process per CPU (analyze --workers auto)",
    )
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.dir)
        return

    folder = args.keep or tempfile.mkdtemp(prefix="bench-analyze-")
    if not os.path.isdir(os.path.join(folder, "events")):
        start = time.perf_counter()
        write_inputs(folder, args.records)
        print(
            f"generated {args.records:,} records in {time.perf_counter() - start:.1f} s"
        )
    baseline = child("baseline", folder)
    analyzed = child("analyze", folder)
    shared = child("workers", folder) if args.workers else None
    records = analyzed["records"]
    print(f"records: {records:,} (2,000 principals, 200 actions, 20 accounts)")
    for label, figures in (("json.loads", baseline), ("analyze", analyzed)):
        rate = figures["records"] / figures["cpu_seconds"]
        wall = figures["records"] / figures["wall_seconds"]
        print(
            f"{label:>10}: {rate:>10,.0f} records/s CPU  {wall:>10,.0f} records/s wall"
            f"  peak RSS {figures['peak_rss_mb']:,.0f} MB"
        )
    print(
        f"requests rebuilt: {analyzed['rebuilt']:,}; distinct requests evaluated "
        f"(with fix verification): {analyzed['evaluated']:,}"
    )
    print(f"reason codes: {analyzed['codes']}")
    if shared is not None:
        wall = shared["records"] / shared["wall_seconds"]
        print(
            f"--workers auto ({shared['workers']} processes): {wall:,.0f} records/s "
            f"wall, {wall / (records / analyzed['wall_seconds']):.2f}x one process"
        )
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
