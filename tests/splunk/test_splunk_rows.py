"""RowWriter writes the bytes of splunklib's own RecordWriter, on each interpreter."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from access_undenied_splunk.rows import (
    install,
    make_quote,
    multivalue_pair,
    quoted_characters,
)

CASES = Path(__file__).resolve().parent / "rows_cases.py"


def run_cases(python: str, app_dir: Path, *options: str) -> dict[str, Any]:
    """Run rows_cases.py under `python` against the package's vendored splunklib."""
    completed = subprocess.run(
        [python, str(CASES), str(app_dir / "lib"), *options],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report: dict[str, Any] = json.loads(completed.stdout)
    return report


@pytest.mark.slow
def test_rows_are_the_sdk_bytes(python: str, app_dir: Path) -> None:
    report = run_cases(python, app_dir)

    assert report["differ"] == []
    assert report["cases"] >= 80
    assert report["rows"]["fast"] > 300
    assert report["rows"]["sdk"] > 0


@pytest.mark.slow
def test_the_comparison_sees_a_careless_writer(python: str, app_dir: Path) -> None:
    report = run_cases(python, app_dir, "--break-quotes")

    assert "command-output" in report["differ"]
    assert "code-points-ascii" in report["differ"]


class SplunkDialect(csv.Dialect):
    """The dialect of splunklib's CsvDialect on Linux."""

    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


QUOTE = make_quote(quoted_characters(SplunkDialect))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("plain text", "plain text"),
        ('say "hi"', '"say ""hi"""'),
        ("a,b", '"a,b"'),
        ("two\nlines", '"two\nlines"'),
        ("cr\rhere", '"cr\rhere"'),
        ("$5", "$5"),
        ("caf\u00e9", "caf\u00e9"),
    ],
    ids=["empty", "plain", "quotes", "comma", "newline", "cr", "dollar", "accent"],
)
def test_quote(value: str, expected: str) -> None:
    assert QUOTE(value) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], ","),
        (["one"], "one,"),
        (["a", "b"], '"a\nb",$a$;$b$'),
        (["$x", "y,"], '"$x\ny,","$$$x$;$y,$"'),
        (["a", None], None),
        ([1, 2], None),
    ],
    ids=["empty", "one", "two", "dollars", "none-item", "numbers"],
)
def test_multivalue_pair(values: list[Any], expected: str | None) -> None:
    assert multivalue_pair(values, QUOTE) == expected


class Unlike:
    """A writer with none of RecordWriter's internals."""


def test_install_leaves_an_unknown_writer_alone() -> None:
    writer = Unlike()

    assert install(writer) is False
    assert not hasattr(writer, "_write_record")


class TabWriter:
    """A writer with RecordWriter's internals but a tab-separated dialect."""

    _fieldnames = None
    _pending_record_count = 0
    _maxresultrows = 10

    def __init__(self) -> None:
        class Tabs(SplunkDialect):
            delimiter = "\t"

        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, dialect=Tabs)

    def flush(self, finished: bool | None = None, partial: bool | None = None) -> None:
        """Nothing to send."""

    def _write_record(self, record: Any) -> None:
        """The SDK's method stands here."""


def test_install_leaves_another_dialect_alone() -> None:
    writer = TabWriter()

    assert install(writer) is False
    assert "_write_record" not in vars(writer)
