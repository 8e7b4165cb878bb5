"""Batches with bad records: every good record is answered, as if it were alone."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from access_undenied.analyze import Analyzer, explain_text
from access_undenied.analyze.fields import flatten_result
from hypothesis import given
from hypothesis import strategies as st
from robust_strategies import JSON_VALUES, WRONG_TYPES
from robust_support import (
    bounded,
    example_analyzer,
    example_data_arguments,
    example_denials,
    field_paths,
    replaced,
    robust_settings,
)

VOLATILE = ("SnapshotAgeSeconds",)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    """One analyzer over the example organization, shared by the module's tests."""
    return example_analyzer()


def stable(result: dict[str, Any]) -> dict[str, Any]:
    """A result without the fields that depend on the clock."""
    return {key: value for key, value in result.items() if key not in VOLATILE}


def explain(analyzer: Analyzer, record: Any) -> dict[str, Any]:
    """One result under the hang alarm; it always has a reason code."""
    result, _ = bounded(lambda: analyzer.explain_record(record))
    assert isinstance(result.get("ReasonCode"), str)
    json.dumps(result)
    if result["ReasonCode"] == "error":
        assert result.get("Error"), "an error result says what went wrong"
    return result


def mutations(record: dict[str, Any]) -> list[Any]:
    """Copies of a record with one field given a value of the wrong type."""
    paths = field_paths(record)
    wrong = [None, 7, "", [], {"a": 1}, "A" * 10_000]
    return [
        replaced(record, path, wrong[n % len(wrong)])
        for n, path in enumerate(paths[::3])
    ]


def test_bad_records_do_not_change_the_good_ones(analyzer: Analyzer) -> None:
    good = example_denials()
    alone = Analyzer(analyzer.snapshot)
    expected = [stable(explain(alone, record)) for record in good]

    answers = []
    for record in good:
        for bad in [None, 42, "text", [record], *mutations(record)]:
            explain(analyzer, bad)
        answers.append(stable(explain(analyzer, record)))

    assert answers == expected


@robust_settings()
@given(JSON_VALUES)
def test_any_json_value_is_answered(value: Any) -> None:
    explain(BATCH_ANALYZER, value)


@robust_settings()
@given(st.data())
def test_any_field_of_a_good_denial_given_any_value(data: st.DataObject) -> None:
    record = data.draw(st.sampled_from(GOOD_DENIALS))
    path = data.draw(st.sampled_from(field_paths(record)))
    value = data.draw(JSON_VALUES | WRONG_TYPES)

    explain(BATCH_ANALYZER, replaced(record, path, value))


BATCH_ANALYZER = example_analyzer()
GOOD_DENIALS = example_denials()


def write_mixed_tree(root: Path) -> list[str]:
    """Good files and broken ones side by side; the good event ids in order."""
    good = GOOD_DENIALS
    data = json.dumps({"Records": good}).encode()
    root.mkdir()
    (root / "a-good.json").write_bytes(data)
    (root / "b-truncated.json.gz").write_bytes(gzip.compress(data)[:200])
    (root / "c-garbage.json").write_bytes(b"\xff\xfe\x00 not json")
    lines = []
    for record in good:
        lines.append(json.dumps(record).encode())
        lines.append(b'{"eventID": "cut')
    (root / "d-lines.jsonl").write_bytes(b"\n".join(lines))
    (root / "e-deep.json").write_bytes(b"[" * 50_000)
    return [r["eventID"] for r in good] * 2


def run_analyze(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI's analyze over the example organization, as a child process."""
    command = [
        sys.executable,
        "-m",
        "access_undenied",
        "analyze",
        *arguments,
        *example_data_arguments(),
    ]
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_cli_answers_every_good_record_of_a_broken_tree(tmp_path: Path) -> None:
    expected = write_mixed_tree(tmp_path / "events")
    output = tmp_path / "results.json"

    done = run_analyze(
        "--events-file",
        str(tmp_path / "events"),
        "--output-file",
        str(output),
        "--suppress-output",
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    results = json.loads(output.read_text())["Results"]
    answered = [r["EventId"] for r in results if r["ReasonCode"] != "error"]
    errors = [r for r in results if r["ReasonCode"] == "error"]
    assert answered == expected
    assert len(errors) == 3 + len(GOOD_DENIALS)
    assert "Traceback" not in done.stderr


HOSTILE_TEXTS = {
    "empty": "",
    "not-json": "x",
    "huge-number": "1" * 5000,
    "lone-surrogate": '"\\ud800"',
    "null": "null",
    "error-code-only": '{"errorCode": "AccessDenied"}',
    "huge-text": "A" * 5_000_000,
    "invalid-utf8-bytes": b"\xff\xfe{",
}


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS)
def test_explain_text_answers_any_text(text: str | bytes) -> None:
    """The entry point of the DuckDB and Splunk adapters: one row, one result."""
    result, _ = bounded(lambda: explain_text(BATCH_ANALYZER, text))

    assert isinstance(result["ReasonCode"], str)
    flatten_result(result)


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_explain_text_answers_deeply_nested_text(opener: str) -> None:
    result, _ = bounded(lambda: explain_text(BATCH_ANALYZER, opener * 100_000))

    assert result["ReasonCode"] == "error"
