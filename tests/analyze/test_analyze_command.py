"""`aws-access-undenied analyze`: options, outputs, and what happens with no data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from access_undenied.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = [
    *(
        arg
        for path in sorted((EXAMPLES / "account-details").glob("*.json"))
        for arg in ("--account-details", str(path))
    ),
    "--scp-file",
    str(EXAMPLES / "organization.json"),
    "--resource-policies",
    str(EXAMPLES / "resource-policies.json"),
]
LAMBDA = str(EXAMPLES / "events" / "lambda-readme-example.json")


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS credentials anywhere the SDK would look."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_help_needs_no_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", "--help"])
    assert exit_info.value.code == 0
    assert "--events-file" in capsys.readouterr().out


def test_without_data_or_credentials_it_says_what_to_pass(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["analyze", "--events-file", LAMBDA]) == 2
    err = capsys.readouterr().err
    assert "--snapshot" in err and "--account-details" in err
    assert "credentials" in err


def test_json_lines_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--events-file", LAMBDA, *FILES]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["ReasonCode"] == "scp_explicit_deny"


def test_short_form_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--file", LAMBDA, "analyze", *FILES]) == 0
    assert "scp_explicit_deny" in capsys.readouterr().out


def test_short_form_alone_goes_to_analyze(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--file", LAMBDA]) == 2
    assert "analyze needs account data" in capsys.readouterr().err


def test_output_file_and_suppressed_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    events = str(EXAMPLES / "events")
    argv = ["analyze", "--events-file", events, *FILES]
    assert main([*argv, "--output-file", str(out), "--suppress-output"]) == 0
    assert capsys.readouterr().out == ""
    results = json.loads(out.read_text())["Results"]
    assert len(results) == 21
    assert {r["ReasonCode"] for r in results} >= {"error", "scp_explicit_deny"}


def test_table_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "--events-file", LAMBDA, *FILES, "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("EVENT")
    assert "deny: statement DenyLambdaList" in out


def test_unreadable_account_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope.json")
    assert main(["analyze", "--events-file", LAMBDA, "--account-details", missing]) == 2
    assert "nope.json" in capsys.readouterr().err


def test_aws_explanations_without_anything_to_ask_leave_results_as_they_are(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["analyze", "--events-file", LAMBDA, *FILES, "--use-aws-explanations"]
    assert main(argv) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["ReasonCode"] == "scp_explicit_deny"
