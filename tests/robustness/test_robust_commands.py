"""Every command given a hostile input file ends with a message, not a traceback.

The commands run in-process through `cli.main`: an exception other than SystemExit
is the traceback a user would see.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from access_undenied.cli import main
from robust_support import BASE_DENIAL, bounded

HOSTILE_FILES = {
    "empty": b"",
    "not-json": b"not json",
    "invalid-utf8": b"\xff\xfe\x00{",
    "deeply-nested": b"[" * 100_000,
    "truncated-gzip": gzip.compress(json.dumps({"a": "b" * 1000}).encode())[:30],
    "huge-number": b"9" * 10_000,
    "json-array": b"[1, 2, 3]",
    "json-null": b"null",
}

# command -> the arguments, with FILE for the hostile file.
COMMANDS = {
    "simulate": ["simulate", "--request-file", "FILE"],
    "rebuild": ["rebuild", "--events-file", "FILE"],
    "summarize": ["summarize", "--results-file", "FILE"],
    "snapshot-show": ["snapshot", "show", "FILE"],
    "snapshot-build-details": [
        "snapshot", "build", "--output", "OUT", "--account-details", "FILE",
    ],
    "snapshot-build-scps": [
        "snapshot", "build", "--output", "OUT", "--scp-file", "FILE",
    ],
    "snapshot-build-resources": [
        "snapshot", "build", "--output", "OUT", "--resource-policies", "FILE",
    ],
    "analyze-snapshot": ["analyze", "--events-file", "EVENTS", "--snapshot", "FILE"],
    "analyze-details": [
        "analyze", "--events-file", "EVENTS", "--account-details", "FILE",
    ],
}  # fmt: skip

# (command, file) pairs that end in a traceback today, pinned as strict xfails. The
# simulate command's four and the file readers' deep nesting were fixed by owners.
KNOWN_CRASHES: dict[tuple[str, str], str] = {}


def cases() -> list[object]:
    """Every command with every hostile file; today's crashes as strict xfails."""
    params = []
    for command in COMMANDS:
        for name in HOSTILE_FILES:
            reason = KNOWN_CRASHES.get((command, name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(command, name, id=f"{command}-{name}", marks=marks)
            )
    return params


@pytest.mark.parametrize("command, name", cases())
def test_command_on_hostile_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    command: str,
    name: str,
) -> None:
    hostile = tmp_path / "input.json"
    hostile.write_bytes(HOSTILE_FILES[name])
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [BASE_DENIAL]}))
    replacements = {
        "FILE": str(hostile),
        "OUT": str(tmp_path / "s.json"),
        "EVENTS": str(events),
    }
    arguments = [replacements.get(a, a) for a in COMMANDS[command]]
    monkeypatch.chdir(tmp_path)

    try:
        status = bounded(lambda: main(arguments), limit=10)[0]
    except SystemExit as exc:
        status = exc.code

    # In-process, the CLI's log records go to pytest's handler, not to stderr.
    said = capsys.readouterr().err + caplog.text
    if status not in (0, None):
        assert said.strip(), "a failing command says why"


# Results files that are JSON of the right shape with members of the wrong type.
ODD_RESULTS = {
    "scalars": {"Results": [{"ReasonCode": 5, "Request": 3, "ResultDetails": 7}]},
    "principal-number": {"ReasonCode": [], "Request": {"Principal": 5}},
}


@pytest.mark.parametrize("document", ODD_RESULTS.values(), ids=ODD_RESULTS)
def test_summarize_on_results_with_odd_members(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: object
) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(document))

    try:
        status = bounded(lambda: main(["summarize", "--results-file", str(results)]))[0]
    except SystemExit as exc:
        status = exc.code

    assert status == 2
    assert "is not a result" in capsys.readouterr().err
