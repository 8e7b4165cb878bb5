"""Helpers of the robustness suite: a hang alarm, the named errors, example data.

`bounded(call)` runs one input under two alarms: one on the process's CPU time
(`HANG_SECONDS`, so that other work on a shared machine does not count) and one on
wall time (`WALL_SECONDS`, for an input that blocks). An input past either is
interrupted and reported as a hang instead of stalling the suite. The bounds are
generous on purpose: a hang detector, not a benchmark.
"""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, TypeVar

from access_undenied.errors import AccessUndeniedError
from hypothesis import settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = PROJECT_ROOT / "examples"
HANG_SECONDS = float(os.environ.get("ROBUSTNESS_HANG_SECONDS", "2.0"))
WALL_SECONDS = 30.0

T = TypeVar("T")


class Hang(Exception):
    """An input that ran past the hang bound."""


def robust_settings(**overrides: Any) -> settings:
    """The active robustness profile (see conftest), with per-test overrides."""
    deep = os.environ.get("ROBUSTNESS_PROFILE") == "deep"
    name = "robustness-deep" if deep else "robustness"
    if deep:
        overrides.pop("max_examples", None)
    return settings(settings.get_profile(name), **overrides)


@contextlib.contextmanager
def hang_alarm(
    cpu_seconds: float, wall_seconds: float = WALL_SECONDS
) -> Iterator[None]:
    """Raise `Hang` inside the block past `cpu_seconds` of CPU or `wall_seconds`."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {cpu_seconds} s of CPU or {wall_seconds} s")

    timers = {signal.SIGPROF: signal.ITIMER_PROF, signal.SIGALRM: signal.ITIMER_REAL}
    previous = {number: signal.signal(number, on_alarm) for number in timers}
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    signal.setitimer(signal.ITIMER_REAL, wall_seconds)
    try:
        yield
    finally:
        for number, timer in timers.items():
            signal.setitimer(timer, 0)
            signal.signal(number, previous[number])


def bounded(call: Callable[[], T], limit: float = HANG_SECONDS) -> tuple[T, float]:
    """Run `call`; return its value and the CPU seconds it took; fail on a hang."""
    start = time.process_time()
    try:
        with hang_alarm(limit):
            value = call()
    except Hang as exc:
        raise AssertionError(f"hang: {exc}") from None
    elapsed = time.process_time() - start
    assert elapsed <= limit, f"hang: {elapsed:.2f} s of CPU for one input"
    return value, elapsed


def answer_or_named_error(call: Callable[[], T]) -> T | AccessUndeniedError:
    """The answer, or the project's named error; anything else fails the test."""
    try:
        value, _ = bounded(call)
    except AccessUndeniedError as exc:
        assert str(exc), "a named error must say what is wrong"
        return exc
    return value


# A denial as CloudTrail writes it; every test copies it before changing it.
BASE_DENIAL: dict[str, Any] = {
    "eventVersion": "1.10",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEROLE00001:worker",
        "arn": "arn:aws:sts::123456789012:assumed-role/app/worker",
        "accountId": "123456789012",
        "accessKeyId": "ASIAEXAMPLEKEY000001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLE00001",
                "arn": "arn:aws:iam::123456789012:role/app",
                "accountId": "123456789012",
                "userName": "app",
            },
            "attributes": {
                "creationDate": "2026-11-20T09:00:00Z",
                "mfaAuthenticated": "false",
            },
        },
    },
    "eventTime": "2026-11-20T09:02:00Z",
    "eventSource": "s3.amazonaws.com",
    "eventName": "GetObject",
    "awsRegion": "eu-west-1",
    "sourceIPAddress": "198.51.100.23",
    "userAgent": "aws-cli/2.22.4",
    "errorCode": "AccessDenied",
    "errorMessage": (
        "User: arn:aws:sts::123456789012:assumed-role/app/worker is not authorized "
        "to perform: s3:GetObject on resource: "
        '"arn:aws:s3:::data-bucket/reports/q3.csv" because no identity-based policy '
        "allows the s3:GetObject action"
    ),
    "requestParameters": {"bucketName": "data-bucket", "key": "reports/q3.csv"},
    "responseElements": None,
    "requestID": "REQEXAMPLE0001",
    "eventID": "00000000-0000-4000-8000-000000000001",
    "readOnly": True,
    "resources": [
        {"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::data-bucket/reports/q3.csv"},
        {
            "accountId": "123456789012",
            "type": "AWS::S3::Bucket",
            "ARN": "arn:aws:s3:::data-bucket",
        },
    ],
    "eventType": "AwsApiCall",
    "managementEvent": False,
    "recipientAccountId": "123456789012",
    "vpcEndpointId": "vpce-0example",
    "eventCategory": "Data",
    "tlsDetails": {"tlsVersion": "TLSv1.3"},
}


def denial(**members: Any) -> dict[str, Any]:
    """A deep copy of BASE_DENIAL with some top-level members replaced."""
    record = copy.deepcopy(BASE_DENIAL)
    record.update(members)
    return record


def field_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and list indexes) into a JSON value, parents first."""
    paths: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths.extend(field_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths.extend(field_paths(child, (*prefix, index)))
    return paths


def replaced(record: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A deep copy of `record` with the value at `path` replaced by `new`."""
    copied = copy.deepcopy(record)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copied


def example_analyzer() -> Any:
    """An Analyzer over the bundled example organization."""
    from access_undenied.analyze import Analyzer
    from access_undenied.snapshot import Snapshot
    from access_undenied.snapshot.from_files import build_from_files

    document = build_from_files(
        sorted((EXAMPLES / "account-details").glob("*.json")),
        EXAMPLES / "organization.json",
        EXAMPLES / "resource-policies.json",
    )
    return Analyzer(Snapshot.from_document(document))


def example_denials() -> list[dict[str, Any]]:
    """Every denial record of the bundled example events."""
    from access_undenied.cloudtrail.models import RecordItem
    from access_undenied.cloudtrail.reader import iter_denials

    return [
        item.record
        for item in iter_denials(EXAMPLES / "events")
        if isinstance(item, RecordItem)
    ]


def example_data_arguments() -> list[str]:
    """The options that give analyze the example organization's files."""
    arguments = []
    for path in sorted((EXAMPLES / "account-details").glob("*.json")):
        arguments += ["--account-details", str(path)]
    return [
        *arguments,
        "--scp-file",
        str(EXAMPLES / "organization.json"),
        "--resource-policies",
        str(EXAMPLES / "resource-policies.json"),
    ]
