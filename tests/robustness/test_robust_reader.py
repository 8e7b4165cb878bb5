"""The reader on hostile bytes: each input gives records or ReadErrors, quickly."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied.cloudtrail.models import ReadError, ReadStats, RecordItem
from access_undenied.cloudtrail.reader import iter_denials, iter_records
from hypothesis import given
from hypothesis import strategies as st
from robust_strategies import (
    DEEP_JSON,
    INVALID_UTF8,
    JSON_VALUES,
    corrupted,
    records_file,
    truncated_gzip,
)
from robust_support import BASE_DENIAL, bounded, denial, robust_settings

GOOD = [denial(eventID=f"good-{n}") for n in range(3)]


def read_bytes(data: bytes) -> list[Any]:
    """Every item the reader yields for one in-memory file, under the hang alarm."""
    items, _ = bounded(lambda: list(iter_records(io.BytesIO(data))))
    for item in items:
        assert isinstance(item, (RecordItem, ReadError))
        if isinstance(item, ReadError):
            assert item.message
    return items


@robust_settings()
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_give_items_or_errors(data: bytes) -> None:
    read_bytes(data)


@robust_settings()
@given(JSON_VALUES)
def test_any_json_value_gives_items_or_errors(value: Any) -> None:
    read_bytes(json.dumps(value).encode())


@robust_settings(max_examples=30)
@given(corrupted(records_file(GOOD)))
def test_corrupted_log_file(data: bytes) -> None:
    read_bytes(data)


@robust_settings(max_examples=30)
@given(truncated_gzip(GOOD))
def test_truncated_gzip_is_one_error(data: bytes) -> None:
    items = read_bytes(data)

    assert len(items) == 1
    assert isinstance(items[0], ReadError)


@robust_settings(max_examples=15)
@given(DEEP_JSON)
def test_deeply_nested_json(data: bytes) -> None:
    items = read_bytes(data)

    assert items


@robust_settings(max_examples=20)
@given(INVALID_UTF8, st.integers(min_value=0, max_value=200))
def test_invalid_utf8_inside_a_log_file(bad: bytes, where: int) -> None:
    text = records_file(GOOD)
    position = min(where, len(text))
    read_bytes(text[:position] + bad + text[position:])


HOSTILE_FILES = {
    "empty": b"",
    "whitespace": b" \n\t ",
    "nul-bytes": b"\x00" * 1000,
    "bom-then-json": b"\xef\xbb\xbf" + records_file(GOOD),
    "utf16": records_file(GOOD).decode().encode("utf-16"),
    "records-not-a-list": b'{"Records": {"a": 1}}',
    "records-of-scalars": b'{"Records": [1, "x", null, true]}',
    "huge-string": b'{"Records": [{"eventID": "' + b"A" * 5_000_000 + b'"}]}',
    "huge-number": b'{"Records": [{"eventID": ' + b"9" * 10_000 + b"}]}",
    "lookup-event-not-json": b'{"Events": [{"CloudTrailEvent": "{not json"}]}',
    "lookup-event-deep": b'{"Events": [{"CloudTrailEvent": "'
    + b"[" * 100_000
    + b'"}]}',
    "eventbridge-no-detail": b'{"detail-type": "AWS API Call via CloudTrail"}',
    "gzip-magic-only": b"\x1f\x8b",
    "gzip-of-garbage": gzip.compress(b"\xff\xfe not json"),
    "gzip-bomb-ish": gzip.compress(
        b"[" + b" " * 20_000_000 + json.dumps(BASE_DENIAL).encode() + b"]"
    ),
    "nan-and-infinity": b'{"Records": [{"eventID": NaN, "x": -Infinity}]}',
    "duplicate-keys": b'{"Records": [{"eventID": "a", "eventID": "b"}]}',
    "lone-surrogate": b'{"Records": [{"eventID": "\\ud800"}]}',
}


@pytest.mark.parametrize("data", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
def test_hostile_files(data: bytes) -> None:
    items = read_bytes(data)

    assert items, "every file gives at least one record or one error"


def test_truncated_gzip_in_a_tree_keeps_the_other_files(tmp_path: Path) -> None:
    good = gzip.compress(records_file(GOOD))
    (tmp_path / "a.json.gz").write_bytes(good)
    (tmp_path / "b.json.gz").write_bytes(good[: len(good) // 2])
    (tmp_path / "c.json").write_bytes(b"\xff\xfe garbage")
    (tmp_path / "d.json").write_bytes(records_file(GOOD))
    stats = ReadStats()

    items, _ = bounded(lambda: list(iter_denials(tmp_path, stats)))

    good_ids = [i.record["eventID"] for i in items if isinstance(i, RecordItem)]
    assert good_ids == [r["eventID"] for r in GOOD] * 2
    assert stats.errors == 2


def json_lines(bad_line: bytes, count: int = 50) -> bytes:
    """Good denials, each followed by `bad_line`."""
    lines = []
    for n in range(count):
        lines.append(json.dumps(denial(eventID=f"line-{n}")).encode())
        lines.append(bad_line)
    return b"\n".join(lines)


def test_json_lines_with_bad_lines_keeps_every_good_line() -> None:
    items = read_bytes(json_lines(b'{"eventID": "cut short'))

    ids = [i.record["eventID"] for i in items if isinstance(i, RecordItem)]
    assert ids == [f"line-{n}" for n in range(50)]
    assert sum(isinstance(i, ReadError) for i in items) == 50


def test_json_lines_with_an_invalid_utf8_line_keeps_every_good_line() -> None:
    items = read_bytes(json_lines(b"\xff\xfe", count=5))

    ids = [i.record["eventID"] for i in items if isinstance(i, RecordItem)]
    assert ids == [f"line-{n}" for n in range(5)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert [e.message for e in errors] == [
        f"line {2 * n + 2}: not UTF-8 text" for n in range(5)
    ]


def test_unreadable_path_is_an_error_not_a_crash(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.json"

    items, _ = bounded(lambda: list(iter_records(missing)))

    assert [type(i) for i in items] == [ReadError]


def test_base_denial_is_read_as_a_denial() -> None:
    """Sanity: the record the hostile tests start from is itself a good denial."""
    items = read_bytes(records_file([BASE_DENIAL]))

    assert [type(i) for i in items] == [RecordItem]
