"""`summarize`: groups with counts, one merged least-privilege policy per principal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied.analyze.summarize import identity_of, render_table, summarize
from access_undenied.cli import main

ROLE = "arn:aws:iam::123456789012:role/app"


def result(
    event_id: str, session: str, action: str, resource: str, code: str = ""
) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    return {
        "EventId": event_id,
        "ReasonCode": code or "identity_policy_missing_allow",
        "Request": {
            "Principal": f"arn:aws:sts::123456789012:assumed-role/app/{session}",
            "Action": action,
        },
        "ResponsiblePolicies": [],
        "ResultDetails": {
            "PoliciesToAdd": [
                {
                    "AttachmentTargetArn": ROLE,
                    "PolicyType": "identity",
                    "Policy": {"Version": "2012-10-17", "Statement": [statement]},
                }
            ]
        },
    }


RESULTS = [
    result("e1", "one", "s3:GetObject", "arn:aws:s3:::b/x"),
    result("e2", "two", "s3:GetObject", "arn:aws:s3:::b/y"),
    result("e3", "one", "s3:PutObject", "arn:aws:s3:::b/x"),
    result("e4", "one", "s3:PutObject", "arn:aws:s3:::b/y"),
    result("e5", "two", "dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:1:table/t"),
]


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        pytest.param(
            "arn:aws:sts::123456789012:assumed-role/app/s-1", ROLE, id="session"
        ),
        pytest.param(
            "arn:aws:iam::123456789012:user/u",
            "arn:aws:iam::123456789012:user/u",
            id="user",
        ),
        pytest.param(None, "(unknown)", id="none"),
    ],
)
def test_identity_of(principal: str | None, expected: str) -> None:
    assert identity_of(principal) == expected


def test_sessions_group_under_their_role() -> None:
    (group,) = summarize(RESULTS).groups()
    assert (group.principal, group.count) == (ROLE, 5)
    assert group.actions["s3:PutObject"] == 2


def test_merged_policy_joins_actions_with_the_same_resources() -> None:
    (merged,) = summarize(RESULTS).merged_policies()
    assert merged["AttachmentTargetArn"] == ROLE
    assert merged["Denials"] == 5
    statements = merged["Policy"]["Statement"]
    both = {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": ["arn:aws:s3:::b/x", "arn:aws:s3:::b/y"],
    }
    assert both in statements
    assert {
        "Effect": "Allow",
        "Action": "dynamodb:GetItem",
        "Resource": "arn:aws:dynamodb:eu-west-1:1:table/t",
    } in statements
    assert len(statements) == 2


def test_only_identity_fixes_are_merged() -> None:
    other = result("e9", "one", "kms:Decrypt", "arn:aws:kms:eu-west-1:1:key/k")
    other["ResultDetails"]["PoliciesToAdd"][0]["PolicyType"] = "resource_policy"
    assert summarize([other]).merged_policies() == []


def test_command_reads_a_results_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"Results": RESULTS}))
    assert main(["summarize", "--results-file", str(path), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["Results"] == 5
    assert summary["ByReasonCode"] == {"identity_policy_missing_allow": 5}


def test_command_reads_json_lines_and_prints_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RESULTS) + "\n")
    assert main(["summarize", "--results-file", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5 result(s)")
    assert f"{ROLE}: dynamodb:GetItem, s3:GetObject, s3:PutObject" in out


def test_table_lists_reason_counts() -> None:
    text = render_table(summarize(RESULTS))
    assert "       5  identity_policy_missing_allow" in text


def test_command_without_input_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["summarize"]) == 2
    assert "--results-file" in capsys.readouterr().err
