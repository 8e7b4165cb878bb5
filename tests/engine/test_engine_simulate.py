"""The simulate contract: schema errors naming the field, result schema, the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import access_undenied
import jsonschema
import pytest
from access_undenied.cli import main
from access_undenied.engine.simulate import RESULT_SCHEMA, load_schema, simulate
from access_undenied.errors import PolicyParseError, RequestSchemaError

USER = "arn:aws:iam::111122223333:user/alice"
FULL = {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
REQUEST: dict[str, Any] = {
    "principal": USER,
    "action": "s3:GetObject",
    "resource": "arn:aws:s3:::bucket-a/key",
    "identity_policies": [FULL],
    "permissions_boundary": {"id": "Boundary", "document": FULL},
    "scps": [
        [FULL],
        [{"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}],
    ],
    "context": {"aws:SecureTransport": True, "aws:TagKeys": ["a", "b"], "n": 3},
}

BAD_FIELDS = [
    ("missing-principal", {"action": "s3:GetObject"}, "principal"),
    (
        "misspelled-field",
        {**REQUEST, "resource_acount": "111122223333"},
        "resource_acount",
    ),
    ("account-not-digits", {**REQUEST, "resource_account": "acct"}, "resource_account"),
    ("context-object-value", {**REQUEST, "context": {"k": {"a": 1}}}, "context.k"),
    (
        "policy-without-statement",
        {**REQUEST, "identity_policies": [{"Version": "x"}]},
        "identity_policies[0]",
    ),
    ("scp-level-not-list", {**REQUEST, "scps": [FULL]}, "scps[0]"),
    ("bad-action", {**REQUEST, "action": "GetObject"}, "action"),
    ("not-an-object", ["principal"], "(request)"),
]


@pytest.mark.parametrize(
    ("request_body", "field"),
    [case[1:] for case in BAD_FIELDS],
    ids=[case[0] for case in BAD_FIELDS],
)
def test_schema_error_names_the_field(request_body: Any, field: str) -> None:
    with pytest.raises(RequestSchemaError) as caught:
        simulate(request_body)
    assert f"request field {field}" in str(caught.value)


def test_result_follows_the_result_schema() -> None:
    result = simulate(REQUEST)
    jsonschema.Draft7Validator(load_schema(RESULT_SCHEMA)).validate(result)
    assert result["decision"] == "ExplicitlyDenied"
    assert result["denied_by"] == ["scp"]
    boundary = [
        layer for layer in result["layers"] if layer["layer"] == "permissions_boundary"
    ]
    assert boundary[0]["policy_ids"] == ["Boundary"]
    json.dumps(result)


def test_schemas_are_valid_draft7() -> None:
    for name in ("simulate-request.json", RESULT_SCHEMA):
        jsonschema.Draft7Validator.check_schema(load_schema(name))


def test_malformed_policy_names_place_in_request() -> None:
    body = {
        **REQUEST,
        "identity_policies": [
            FULL,
            {"Statement": [{"Effect": "Maybe", "Action": "*"}]},
        ],
    }
    with pytest.raises(PolicyParseError) as caught:
        simulate(body)
    assert caught.value.policy_id == "identity_policies[1]"
    assert caught.value.statement_index == 0


def test_top_level_reexport() -> None:
    assert access_undenied.simulate(REQUEST)["decision"] == "ExplicitlyDenied"


def test_cli_reads_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    assert main(["simulate", "--request-file", str(path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["decision"], printed["denied_by"]) == ("ExplicitlyDenied", ["scp"])


def test_cli_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {**REQUEST, "scps": None}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    assert main(["simulate", "--request-file", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "Allowed"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"action": "s3:GetObject"}', "principal"),
        (b"\xff\xfe{", "not UTF-8"),
        (b"[" * 100_000, "nested too deeply"),
        (b"9" * 10_000, "not valid JSON"),
        (b"[1, 2]", "(request)"),
    ],
    ids=["not-json", "schema", "bad-utf8", "too-deep", "digit-limit", "array"],
)
def test_cli_bad_input_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, fragment: str
) -> None:
    path = tmp_path / "request.json"
    path.write_bytes(data)
    assert main(["simulate", "--request-file", str(path)]) == 2
    assert fragment in capsys.readouterr().err


def test_cli_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["simulate", "--request-file", str(tmp_path / "absent.json")]) == 2
    assert "absent.json" in capsys.readouterr().err


def test_import_is_light() -> None:
    code = (
        "import sys, access_undenied; "
        "names = ('jsonschema', 'access_undenied.engine'); "
        "heavy = [m for m in names if m in sys.modules]; "
        "print(heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert output.strip() == "[]"
