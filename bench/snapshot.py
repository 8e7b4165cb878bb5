"""Benchmark: build, write and load a snapshot of a large organization.

Generates 100 accounts with 50,000 roles, 5,000 customer managed policies and 200
SCPs as AWS CLI files, then times `build_from_files`, `write_snapshot` and
`load_snapshot` against a bare `json.load` of the same file, and measures peak
memory (tracemalloc) of the load. Goal: load at most 2x json.load, peak memory
under 4x the file's size. Figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from access_undenied.snapshot.from_files import build_from_files
from access_undenied.snapshot.load import load_snapshot, read_document, read_text
from access_undenied.snapshot.write import write_snapshot

MANAGEMENT = "100000000000"
ORG = "o-bench00001"


def document_of(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def statement(index: int, account: str) -> dict[str, Any]:
    return {
        "Sid": f"S{index}",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "sqs:SendMessage", "kms:Decrypt"],
        "Resource": [
            f"arn:aws:s3:::bucket-{account}-{index}/*",
            f"arn:aws:sqs:us-east-1:{account}:queue-{index}",
        ],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": f"team-{index % 7}"}},
    }


def account_details(account: str, roles: int, policies: int) -> dict[str, Any]:
    """One account's get-account-authorization-details output."""
    policy_arns = [f"arn:aws:iam::{account}:policy/p{i}" for i in range(policies)]
    managed = [
        {
            "PolicyName": f"p{i}",
            "PolicyId": f"ANPA{account}{i:05d}",
            "Arn": arn,
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 10,
            "IsAttachable": True,
            "PolicyVersionList": [
                {
                    "Document": document_of(statement(i, account)),
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "CreateDate": "2026-01-01T00:00:00Z",
                }
            ],
        }
        for i, arn in enumerate(policy_arns)
    ]
    role_list = [role(account, i, policy_arns) for i in range(roles)]
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": role_list,
        "Policies": managed,
    }


def role(account: str, index: int, policy_arns: list[str]) -> dict[str, Any]:
    trust = document_of(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    entry: dict[str, Any] = {
        "Path": "/app/",
        "RoleName": f"role-{index}",
        "RoleId": f"AROA{account}{index:06d}",
        "Arn": f"arn:aws:iam::{account}:role/app/role-{index}",
        "CreateDate": "2026-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust,
        "RolePolicyList": [
            {
                "PolicyName": "inline",
                "PolicyDocument": document_of(statement(index, account)),
            }
        ],
        "AttachedManagedPolicies": [
            {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
            for arn in (policy_arns[index % 50], policy_arns[(index * 7) % 50])
        ],
        "Tags": [{"Key": "team", "Value": f"team-{index % 7}"}],
        "RoleLastUsed": {},
    }
    if index % 3 == 0:
        entry["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": policy_arns[0],
        }
    return entry


def organization(accounts: list[str], scps: int) -> dict[str, Any]:
    """Root, 10 OUs with 2 child OUs each, accounts spread over the child OUs."""
    nodes: dict[str, Any] = {}
    counter = iter(range(scps))

    def policies(count: int) -> list[dict[str, Any]]:
        found = []
        for _ in range(count):
            index = next(counter, None)
            if index is None:
                break
            found.append(
                {
                    "Id": f"p-{index:08d}",
                    "Arn": f"arn:aws:organizations::{MANAGEMENT}:policy/{ORG}/"
                    f"service_control_policy/p-{index:08d}",
                    "Name": f"scp-{index}",
                    "Description": "",
                    "Type": "SERVICE_CONTROL_POLICY",
                    "AwsManaged": False,
                    "PolicyDocument": json.dumps(
                        document_of(
                            {
                                "Effect": "Deny",
                                "Action": f"svc{index}:*",
                                "Resource": "*",
                            }
                        )
                    ),
                }
            )
        return found

    def add(node_id: str, noun: str, parent: str | None, count: int) -> None:
        kind = (
            "AWSAccount"
            if noun == "account"
            else ("Organizational Unit or Organization Root")
        )
        nodes[node_id] = {
            "arn": f"arn:aws:organizations::{MANAGEMENT}:{noun}/{ORG}/{node_id}",
            "id": node_id,
            "name": node_id,
            "organization_node_type": kind,
            "parent": parent,
            "policies": policies(count),
        }

    add("r-root", "root", None, 2)
    children = []
    for outer in range(10):
        add(f"ou-outer-{outer}", "ou", "r-root", 4)
        for inner in range(2):
            add(f"ou-inner-{outer}-{inner}", "ou", f"ou-outer-{outer}", 4)
            children.append(f"ou-inner-{outer}-{inner}")
    for index, account in enumerate(accounts):
        add(account, "account", children[index % len(children)], 1)
    return nodes


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def peak_memory(step: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    result = step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak


def time_lookups(target: Path, accounts: list[str], roles: int) -> tuple[float, int]:
    """Time the first lookups of every seventh role, through a session ARN."""
    snapshot = load_snapshot(target)
    sample = [
        f"arn:aws:sts::{accounts[i % len(accounts)]}:assumed-role/role-{i}/session"
        for i in range(0, roles // len(accounts), 7)
    ]
    seconds, found = timed(lambda: [snapshot.principal(arn) for arn in sample])
    if not all(found):
        raise SystemExit("a generated role was not found")
    return seconds, len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--roles", type=int, default=50_000)
    parser.add_argument("--policies", type=int, default=5_000)
    parser.add_argument("--scps", type=int, default=200)
    parser.add_argument("--gzip", action="store_true", help="write .json.gz")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best)")
    options = parser.parse_args()

    accounts = [f"{200000000000 + i:012d}" for i in range(options.accounts)]
    workdir = Path(tempfile.mkdtemp(prefix="snapshot-bench-"))
    details = []
    for account in accounts:
        path = workdir / f"{account}.json"
        data = account_details(
            account,
            options.roles // options.accounts,
            options.policies // options.accounts,
        )
        path.write_text(json.dumps(data))
        details.append(path)
    org_file = workdir / "org.json"
    org_file.write_text(json.dumps(organization(accounts, options.scps)))

    build_s, document = timed(lambda: build_from_files(details, org_file))
    target = workdir / ("snapshot.json.gz" if options.gzip else "snapshot.json")
    write_s, _ = timed(lambda: write_snapshot(document, target))  # noqa: F821
    del document
    size = len(read_text(target).encode("utf-8"))

    # Best of several runs: the machine is shared, and timings jump with its load.
    bare_s = min(timed(lambda: read_document(target))[0] for _ in range(options.repeat))
    load_s = min(timed(lambda: load_snapshot(target))[0] for _ in range(options.repeat))
    lookup_s, looked_up = time_lookups(target, accounts, options.roles)
    bare_peak = peak_memory(lambda: read_document(target))
    load_peak = peak_memory(lambda: load_snapshot(target))

    print(
        f"accounts {options.accounts}, roles {options.roles}, managed policies "
        f"{options.policies}, SCPs {options.scps}; 2 cores, shared machine"
    )
    stored = target.stat().st_size / 1e6
    print(
        f"file size           {size / 1e6:8.1f} MB JSON, {stored:.1f} MB {target.name}"
    )
    print(f"build_from_files    {build_s:8.2f} s")
    print(f"write_snapshot      {write_s:8.2f} s")
    print(f"json.load (bare)    {bare_s:8.2f} s")
    print(f"load_snapshot       {load_s:8.2f} s  ({load_s / bare_s:.2f}x bare)")
    print(
        f"first lookups       {lookup_s * 1e3:8.1f} ms for {looked_up} role sessions"
        f" ({lookup_s / looked_up * 1e6:.0f} us each, policies decoded)"
    )
    print(
        f"peak json.load      {bare_peak / 1e6:8.1f} MB ({bare_peak / size:.2f}x file)"
    )
    print(
        f"peak load_snapshot  {load_peak / 1e6:8.1f} MB ({load_peak / size:.2f}x file)"
    )
    for path in workdir.iterdir():
        os.unlink(path)
    workdir.rmdir()


if __name__ == "__main__":
    main()
