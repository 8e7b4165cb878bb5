"""The results file stays valid JSON after every flush; JSON Lines; the table."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from access_undenied.analyze.writers import (
    JsonLinesSink,
    ProgressBar,
    ResultsFileSink,
    TableSink,
    fit,
)


def result(number: int) -> dict[str, Any]:
    """A small result-like dict."""
    return {
        "EventId": f"event-{number:04d}",
        "ReasonCode": "identity_policy_missing_allow",
        "Explanation": "No identity-based policy allows it; attach the statement.",
        "Request": {"Principal": "arn:aws:iam::1:user/u", "Action": "s3:GetObject"},
        "ResultDetails": {
            "PoliciesToAdd": [
                {
                    "AttachmentTargetArn": "arn:aws:iam::1:user/u",
                    "Policy": {"Statement": [{"Action": "s3:GetObject"}]},
                }
            ]
        },
    }


def read_results(path: Path) -> list[Any]:
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)["Results"]  # type: ignore[no-any-return]


def test_results_file_is_valid_after_every_flush(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    sink = ResultsFileSink(str(path), flush_seconds=0.0)
    assert read_results(path) == []
    for number in range(5):
        item = result(number)
        sink.write(item, json.dumps(item))
        assert [r["EventId"] for r in read_results(path)] == [
            f"event-{n:04d}" for n in range(number + 1)
        ]
    sink.close()
    assert len(read_results(path)) == 5


def test_results_file_batches_and_is_complete_when_closed(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    sink = ResultsFileSink(str(path), flush_seconds=3600.0)
    for number in range(100):
        sink.write(result(number), json.dumps(result(number)))
    assert read_results(path) == []  # nothing flushed yet, still valid
    sink.close()
    assert [r["EventId"] for r in read_results(path)][-1] == "event-0099"


def test_results_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    ResultsFileSink(str(path)).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_results_file_overwrites_a_longer_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("x" * 10_000)
    sink = ResultsFileSink(str(path))
    sink.write(result(1), json.dumps(result(1)))
    sink.close()
    assert len(read_results(path)) == 1


def test_json_lines_one_line_per_result() -> None:
    stream = io.StringIO()
    sink = JsonLinesSink(stream)
    for number in range(3):
        sink.write(result(number), json.dumps(result(number)))
    sink.close()
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["EventId"] for line in lines] == [
        "event-0000",
        "event-0001",
        "event-0002",
    ]


def test_table_shows_reason_sentence_and_fix() -> None:
    stream = io.StringIO()
    sink = TableSink(stream, width=100)
    sink.write(result(7), "")
    sink.close()
    text = stream.getvalue()
    assert text.splitlines()[0].split() == ["EVENT", "REASON", "PRINCIPAL", "ACTION"]
    assert "identity_policy_missing_allow" in text
    assert "fix: add s3:GetObject to arn:aws:iam::1:user/u" in text
    assert text.rstrip().endswith("1 result(s)")


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        pytest.param("abc", 5, "abc  ", id="pad"),
        pytest.param("abcdefgh", 5, "abcd…", id="cut"),
        pytest.param("abcde", 5, "abcde", id="exact"),
    ],
)
def test_fit(text: str, width: int, expected: str) -> None:
    assert fit(text, width) == expected


def test_progress_bar_is_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, enabled=False)
    bar.tick(10)
    bar.close()
    assert stream.getvalue() == ""


def test_progress_bar_counts_when_enabled() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, enabled=True)
    bar.tick(42)
    bar.close()
    assert "analyzed 42 records" in stream.getvalue()
