"""Credentials, session tokens and policy documents stay out of logs and errors.

Fake credentials are put where a real run has them: in the environment, inside
CloudTrail records, and in the collector's session. Logs at INFO and above, error
messages and error results must hold none of them, nor a whole policy document.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from access_undenied.errors import AccessUndeniedError
from robust_support import BASE_DENIAL, denial, example_data_arguments

ACCESS_KEY = "AKIAFAKEROBUSTNESS01"
SECRET_KEY = "fAkeSeCrEt/RoBuStNeSs+0123456789abcdefGHIJ"
SESSION_TOKEN = "FQoGZXIvYXdzEFAKE//ROBUSTNESS//SESSION//TOKEN//" + "Zm9v" * 40
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)
# A marker deep inside a policy document: a whole document in a log would show it.
POLICY_MARKER = "PolicyMarkerThatOnlyAWholeDocumentHolds"
CLOSED_PORT_URL = "http://127.0.0.1:9"

FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_SESSION_TOKEN": SESSION_TOKEN,
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ENDPOINT_URL": CLOSED_PORT_URL,
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_RETRY_MODE": "standard",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


def leaks(text: str) -> list[str]:
    """The secrets and markers found in `text`."""
    found = [secret for secret in SECRETS if secret in text]
    return found + ([POLICY_MARKER] if POLICY_MARKER in text else [])


def records_with_secrets() -> list[dict[str, Any]]:
    """Denials whose fields carry credentials, as STS and console records can."""
    credentials = {
        "accessKeyId": ACCESS_KEY,
        "secretAccessKey": SECRET_KEY,
        "sessionToken": SESSION_TOKEN,
    }
    return [
        denial(requestParameters={"credentials": credentials, "key": SECRET_KEY}),
        denial(responseElements={"credentials": credentials}),
        denial(errorMessage=f"User: {SESSION_TOKEN} is not authorized to perform: x"),
        denial(userIdentity={**BASE_DENIAL["userIdentity"], "accessKeyId": 7}),
        denial(errorCode="AccessDenied", eventID=SESSION_TOKEN),
    ]


def run_cli(
    arguments: list[str], cwd: Path, verbosity: str = "INFO"
) -> subprocess.CompletedProcess[str]:
    """The CLI with fake credentials in its environment."""
    environment = {**os.environ, **FAKE_ENVIRONMENT}
    environment.pop("AWS_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "access_undenied", "-v", verbosity, *arguments],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def account_details(inline_document: Any) -> dict[str, Any]:
    """Account details with role `app` holding one inline policy."""
    role = {
        "RoleName": "app",
        "RoleId": "AROAEXAMPLEROLE00001",
        "Arn": "arn:aws:iam::123456789012:role/app",
        "Path": "/",
        "AssumeRolePolicyDocument": policy_with_marker(),
        "RolePolicyList": [{"PolicyName": "bad", "PolicyDocument": inline_document}],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [role],
        "Policies": [],
    }


def policy_with_marker() -> dict[str, Any]:
    """A policy document that fails to parse, with the marker at its end."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Maybe", "Action": "s3:*", "Sid": POLICY_MARKER},
        ],
    }


@pytest.mark.parametrize("verbosity", ["INFO", "WARNING"])
def test_analyze_logs_no_secret(tmp_path: Path, verbosity: str) -> None:
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": records_with_secrets()}))
    output = tmp_path / "results.json"

    done = run_cli(
        [
            "analyze",
            "--events-file",
            str(events),
            "--output-file",
            str(output),
            "--suppress-output",
            *example_data_arguments(),
        ],
        tmp_path,
        verbosity,
    )

    assert done.returncode == 0, done.stderr
    assert leaks(done.stderr) == []
    for result in json.loads(output.read_text())["Results"]:
        assert leaks(str(result.get("Error") or "")) == []


def test_bad_policy_in_account_data_is_not_logged_whole(tmp_path: Path) -> None:
    details = tmp_path / "123456789012.json"
    details.write_text(json.dumps(account_details(policy_with_marker())))
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [BASE_DENIAL]}))
    output = tmp_path / "results.json"

    done = run_cli(
        [
            "analyze",
            "--events-file",
            str(events),
            "--account-details",
            str(details),
            "--output-file",
            str(output),
        ],
        tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert leaks(done.stderr) == []
    for result in json.loads(output.read_text())["Results"]:
        assert leaks(str(result.get("Error") or "")) == []
        assert leaks(str(result.get("Explanation") or "")) == []


def test_collector_error_path_names_no_secret(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3 = pytest.importorskip("boto3")
    from access_undenied.snapshot.collect import CollectOptions, collect_snapshot

    for name, value in FAKE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    session = boto3.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        region_name="eu-west-1",
    )

    with pytest.raises(AccessUndeniedError) as raised:
        collect_snapshot(session, CollectOptions())

    assert leaks(str(raised.value)) == []
    above_debug = [r for r in caplog.records if r.levelno > logging.DEBUG]
    assert leaks("\n".join(r.getMessage() for r in above_debug)) == []


def test_collect_command_with_unreachable_aws(tmp_path: Path) -> None:
    pytest.importorskip("boto3")
    output = tmp_path / "snapshot.json"

    done = run_cli(["collect", "--output", str(output)], tmp_path)

    assert done.returncode == 1
    assert "GetCallerIdentity" in done.stderr
    assert leaks(done.stderr) == []
    assert "Traceback" not in done.stderr
    assert not output.exists()


def test_analyze_collecting_from_unreachable_aws_says_so(tmp_path: Path) -> None:
    """CollectError once ended in a traceback here (found by this suite)."""
    pytest.importorskip("boto3")
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [BASE_DENIAL]}))

    done = run_cli(["analyze", "--events-file", str(events)], tmp_path)

    assert leaks(done.stderr) == []
    assert "Traceback" not in done.stderr
    assert done.returncode != 0
    assert list(tmp_path.glob("access-undenied-snapshot-*")) == []


def test_schema_error_quotes_no_whole_policy_document(tmp_path: Path) -> None:
    from access_undenied.errors import SnapshotError
    from access_undenied.snapshot import Snapshot
    from access_undenied.snapshot.from_files import build_from_files

    document = build_from_files(())
    # A list where the document should be: the error quotes the offending value.
    document["accounts"] = {"123456789012": account_details([policy_with_marker()])}

    with pytest.raises(SnapshotError) as raised:
        Snapshot.from_document(document)

    assert "PolicyDocument" in str(raised.value)
    assert leaks(str(raised.value)) == []
