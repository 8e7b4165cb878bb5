"""`aws-access-undenied rebuild`: JSON Lines on stdout, counters on stderr."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from access_undenied.cli import main
from cloudtrail_records import make_record


def test_rebuild_prints_one_line_per_denial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [make_record(eventID="d1"), make_record(eventID="s1", errorCode=None)]
    path = tmp_path / "log.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))

    code = main(["rebuild", "--events-file", str(path)])

    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [line["event_id"] for line in lines] == ["d1"]
    assert lines[0]["actions"] == ["s3:GetObject"]
    assert json.loads(err.splitlines()[-1])["stats"]["not_denials"] == 1


def test_rebuild_reports_bad_input_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.json").write_text("{broken")
    (tmp_path / "b.json").write_text(json.dumps(make_record(eventID="d2")))

    code = main(["rebuild", "--events-file", str(tmp_path)])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert "error" in lines[0] and lines[0]["source"].endswith("a.json")
    assert lines[1]["event_id"] == "d2"


def test_rebuild_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.dumps(make_record(eventID="d3")).encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))

    code = main(["rebuild", "--events-file", "-"])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["event_id"] == "d3"
