"""`analyze` with no account data but credentials: it collects what its events need.

A moto server on 127.0.0.1 (started and stopped here) holds the collector tests'
organization (tests/collector/moto_world.py): management account at the root, OU
workloads (SCP denying s3:DeleteBucket) with the dev account, OU prod below it.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from access_undenied.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "collector"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world() -> Iterator[Any]:
    """The moto organization; AWS_ENDPOINT_URL points boto3 at the server."""
    from moto_world import build_world, moto_server

    with moto_server():
        yield build_world()


def denial(event_id: str, user: str, account: str, action: str, **extra: Any) -> Any:
    """A denied call by IAM user `user` of `account`."""
    return {
        "eventID": event_id,
        "eventTime": "2026-11-20T10:00:00Z",
        "awsRegion": "us-east-1",
        "errorCode": "AccessDenied",
        "userIdentity": {
            "type": "IAMUser",
            "arn": f"arn:aws:iam::{account}:user/{user}",
            "accountId": account,
            "userName": user,
        },
        "recipientAccountId": account,
        **extra,
    }


def test_analyze_collects_the_accounts_of_its_events(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    queue = f"arn:aws:sqs:us-east-1:{world.prod}:orders"
    alice = f"arn:aws:iam::{world.dev}:user/alice"
    records = [
        # The workloads OU's SCP denies s3:DeleteBucket.
        denial(
            "delete-bucket",
            "alice",
            world.dev,
            "s3:DeleteBucket",
            eventSource="s3.amazonaws.com",
            eventName="DeleteBucket",
            errorMessage=f"User: {alice} is not authorized to perform: "
            's3:DeleteBucket on resource: "arn:aws:s3:::prod-data" with an '
            "explicit deny in a service control policy",
            requestParameters={"bucketName": "prod-data"},
            resources=[
                {
                    "type": "AWS::S3::Bucket",
                    "ARN": "arn:aws:s3:::prod-data",
                    "accountId": world.prod,
                }
            ],
        ),
        # alice's group allows sqs:SendMessage and the prod queue grants the dev
        # account: the collected policies allow it (not reproduced).
        denial(
            "send-message",
            "alice",
            world.dev,
            "sqs:SendMessage",
            eventSource="sqs.amazonaws.com",
            eventName="SendMessage",
            errorMessage=f"User: {alice} is not authorized to perform: "
            f"sqs:SendMessage on resource: {queue} because no identity-based "
            "policy allows the sqs:SendMessage action",
        ),
    ]
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": records}))

    assert main(["analyze", "--events-file", str(events)]) == 0
    captured = capsys.readouterr()
    results = {
        json.loads(line)["EventId"]: json.loads(line)
        for line in captured.out.splitlines()
    }
    assert results["delete-bucket"]["ReasonCode"] == "scp_explicit_deny"
    assert results["send-message"]["ReasonCode"] == "not_reproduced"
    assert "collected accounts" in captured.err
    (snapshot,) = tmp_path.glob("access-undenied-snapshot-*.json.gz")
    assert stat.S_IMODE(os.stat(snapshot).st_mode) == 0o600
    assert world.dev in snapshot.name and world.prod in snapshot.name
