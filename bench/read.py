"""Benchmark: read + filter + rebuild of a gzipped CloudTrail tree against json.loads.

Generates a tree in the S3 export layout (about 1,000 records per `.json.gz` file, a
mix of denials and other calls) in a temporary folder, then measures, each in a
fresh child process so that peak memory is its own:

- baseline: read each file, gunzip, `json.loads` (and the `json.loads` part alone);
- pipeline: `iter_denials` over the tree and `build_request` for every denial.

Each phase runs `--repeat` times, interleaved, and the best run is reported. Rates
are records per CPU second of the measuring process (`time.process_time`), which
other work on a shared machine disturbs less than wall time; both phases run on one
core.

Usage: python bench/read.py [--records N] [--denial-ratio R] [--repeat K] [--keep DIR]
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
ACCOUNTS = [f"{random.Random(n).randrange(10**11, 10**12)}" for n in range(20)]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def identity(rng: random.Random, account: str) -> dict[str, Any]:
    """An assumed-role session or an IAM user."""
    if rng.random() < 0.3:
        name = f"user-{rng.randrange(200)}"
        return {
            "type": "IAMUser",
            "principalId": f"AIDA{rng.randrange(10**12)}",
            "arn": f"arn:aws:iam::{account}:user/{name}",
            "accountId": account,
            "accessKeyId": f"AKIA{rng.randrange(10**12)}",
            "userName": name,
        }
    role = f"role-{rng.randrange(300)}"
    session = f"session-{rng.randrange(10**6)}"
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{rng.randrange(10**6)}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": f"ASIA{rng.randrange(10**12)}",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{rng.randrange(10**6)}",
                "arn": f"arn:aws:iam::{account}:role/{role}",
                "accountId": account,
                "userName": role,
            },
            "attributes": {
                "creationDate": "2024-05-01T10:00:00Z",
                "mfaAuthenticated": "false",
            },
        },
    }


def call(rng: random.Random, account: str, region: str) -> dict[str, Any]:
    """The service, API, parameters and denied resource of one call."""
    kind = rng.randrange(5)
    if kind == 0:
        bucket, key = f"bucket-{rng.randrange(50)}", f"data/{rng.randrange(10**6)}.csv"
        return {
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "requestParameters": {"bucketName": bucket, "key": key},
            "resource": f'"arn:aws:s3:::{bucket}/{key}"',
            "code": "AccessDenied",
        }
    if kind == 1:
        instance = f"i-{rng.randrange(16**12):012x}"
        return {
            "eventSource": "ec2.amazonaws.com",
            "eventName": "DescribeInstanceAttribute",
            "requestParameters": {"instanceId": instance, "attribute": "userData"},
            "resource": f"arn:aws:ec2:{region}:{account}:instance/{instance}",
            "code": "Client.UnauthorizedOperation",
        }
    if kind == 2:
        key_id = f"{rng.randrange(16**8):08x}-1234-5678-9abc-def012345678"
        return {
            "eventSource": "kms.amazonaws.com",
            "eventName": "Decrypt",
            "requestParameters": {"keyId": key_id},
            "resource": f"arn:aws:kms:{region}:{account}:key/{key_id}",
            "code": "AccessDeniedException",
        }
    if kind == 3:
        return {
            "eventSource": "lambda.amazonaws.com",
            "eventName": "GetFunction20150331v2",
            "requestParameters": {"functionName": f"fn-{rng.randrange(100)}"},
            "resource": None,
            "code": "AccessDeniedException",
        }
    role = f"arn:aws:iam::{rng.choice(ACCOUNTS)}:role/deploy-{rng.randrange(20)}"
    return {
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRole",
        "requestParameters": {"roleArn": role, "roleSessionName": "s"},
        "resource": role,
        "code": "AccessDenied",
    }


def make_record(rng: random.Random, denied: bool, number: int) -> dict[str, Any]:
    """One CloudTrail record; a denial carries AWS's message."""
    account, region = rng.choice(ACCOUNTS), rng.choice(REGIONS)
    caller = identity(rng, account)
    details = call(rng, account, region)
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": caller,
        "eventTime": f"2024-05-01T{number % 24:02d}:{number % 60:02d}:00Z",
        "eventSource": details["eventSource"],
        "eventName": details["eventName"],
        "awsRegion": region,
        "sourceIPAddress": f"198.51.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": "aws-cli/2.15.0 Python/3.11",
        "requestParameters": details["requestParameters"],
        "responseElements": None,
        "requestID": f"{rng.randrange(16**32):032x}",
        "eventID": f"{rng.randrange(16**32):032x}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
        },
    }
    if denied:
        record["errorCode"] = details["code"]
        record["errorMessage"] = denial_message(caller["arn"], details)
    return record


def denial_message(principal: str, details: dict[str, Any]) -> str:
    """AWS's general form of the denial message."""
    service = details["eventSource"].split(".")[0]
    action = f"{service}:{details['eventName']}"
    if details["resource"] is None:
        return f"User: {principal} is not authorized to perform: lambda:GetFunction"
    return (
        f"User: {principal} is not authorized to perform: {action} on resource: "
        f"{details['resource']} because no identity-based policy allows the {action} "
        "action"
    )


def generate_tree(root: str, records: int, denial_ratio: float) -> int:
    """Write the tree; returns the number of files."""
    rng = random.Random(20240501)
    files = 0
    for start in range(0, records, RECORDS_PER_FILE):
        count = min(RECORDS_PER_FILE, records - start)
        batch = [
            make_record(rng, rng.random() < denial_ratio, start + n)
            for n in range(count)
        ]
        day = f"{1 + files // 100:02d}"
        folder = os.path.join(
            root,
            "AWSLogs",
            "111122223333",
            "CloudTrail",
            "us-east-1",
            "2024",
            "05",
            day,
        )
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(
            folder, f"111122223333_CloudTrail_us-east-1_{files:06d}.json.gz"
        )
        with open(path, "wb") as stream:
            stream.write(gzip.compress(json.dumps({"Records": batch}).encode(), 6))
        files += 1
    return files


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_baseline(root: str) -> dict[str, float]:
    """Read, gunzip and json.loads every file; time json.loads on its own too."""
    from access_undenied.cloudtrail.reader import walk_files

    records, loads_seconds = 0, 0.0
    started = time.process_time()
    for path in walk_files(root):
        with open(path, "rb") as stream:
            data = gzip.decompress(stream.read())
        before = time.process_time()
        document = json.loads(data)
        loads_seconds += time.process_time() - before
        records += len(document["Records"])
    elapsed = time.process_time() - started
    return {
        "records": records,
        "seconds": elapsed,
        "loads_seconds": loads_seconds,
        "peak_mb": peak_rss_mb(),
    }


def measure_pipeline(root: str) -> dict[str, float]:
    """iter_denials over the tree and build_request for every denial."""
    from access_undenied.cloudtrail import ReadStats, RecordItem, build_request
    from access_undenied.cloudtrail.reader import iter_denials

    stats = ReadStats()
    built = 0
    started = time.process_time()
    for item in iter_denials(root, stats):
        if isinstance(item, RecordItem):
            build_request(item.record)
            built += 1
    elapsed = time.process_time() - started
    return {
        "records": stats.records,
        "denials": built,
        "errors": stats.errors,
        "seconds": elapsed,
        "peak_mb": peak_rss_mb(),
    }


def run_phase(phase: str, root: str) -> dict[str, float]:
    """Run one measurement in a child process and return its figures."""
    output = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--tree", root],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, float] = json.loads(output)
    return figures


def report(
    records: int, files: int, baseline: dict[str, float], pipeline: dict[str, float]
) -> None:
    """Print the figures."""
    base_rate = baseline["records"] / baseline["seconds"]
    loads_rate = baseline["records"] / baseline["loads_seconds"]
    rate = pipeline["records"] / pipeline["seconds"]
    print(f"records: {records:,} in {files:,} files; denials: {pipeline['denials']:,}")
    print(f"gunzip + json.loads:        {base_rate:12,.0f} records/s")
    print(f"json.loads alone:           {loads_rate:12,.0f} records/s")
    print(f"read + filter + rebuild:    {rate:12,.0f} records/s")
    print(f"ratio to gunzip+json.loads: {rate / base_rate:12.2f}")
    print(f"ratio to json.loads alone:  {rate / loads_rate:12.2f}")
    print(f"peak memory, baseline:      {baseline['peak_mb']:12.0f} MB")
    print(f"peak memory, pipeline:      {pipeline['peak_mb']:12.0f} MB")


def main() -> int:
    """Generate the tree, measure both phases in child processes, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--denial-ratio", type=float, default=0.2)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each phase")
    parser.add_argument(
        "--phase", choices=("baseline", "pipeline"), help=argparse.SUPPRESS
    )
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        measure = measure_baseline if args.phase == "baseline" else measure_pipeline
        print(json.dumps(measure(args.tree)))
        return 0

    with tempfile.TemporaryDirectory(prefix="au-bench-") as temporary:
        root = args.keep or temporary
        started = time.perf_counter()
        files = generate_tree(root, args.records, args.denial_ratio)
        print(f"generated in {time.perf_counter() - started:.0f} s: {root}")
        runs = [
            (run_phase("baseline", root), run_phase("pipeline", root))
            for _ in range(args.repeat)
        ]
    # The machine is shared: the best of interleaved runs is the least disturbed.
    baseline = min((run[0] for run in runs), key=lambda figures: figures["seconds"])
    pipeline = min((run[1] for run in runs), key=lambda figures: figures["seconds"])
    baseline["peak_mb"] = max(run[0]["peak_mb"] for run in runs)
    pipeline["peak_mb"] = max(run[1]["peak_mb"] for run in runs)
    report(args.records, files, baseline, pipeline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
