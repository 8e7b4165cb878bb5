"""The reader: every export format, directory trees, broken input, streams."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied.cloudtrail import (
    ReadError,
    ReadStats,
    RecordItem,
    is_denial,
    iter_denials,
    iter_records,
)
from cloudtrail_records import make_record
from hypothesis import given, settings
from hypothesis import strategies as st

DENIAL = make_record(eventID="denied")
SUCCESS = make_record(eventID="ok", errorCode=None, errorMessage=None)
OTHER_FAILURE = make_record(eventID="missing", errorCode="NoSuchEntity")


def event_ids(items: list[Any]) -> list[str]:
    """The eventIDs of the records read, in order."""
    return [item.record["eventID"] for item in items if isinstance(item, RecordItem)]


def read_bytes(data: bytes) -> list[RecordItem | ReadError]:
    """Read one in-memory file."""
    return list(iter_records(io.BytesIO(data)))


def log_file(*records: dict[str, Any]) -> bytes:
    """A CloudTrail log file body."""
    return json.dumps({"Records": list(records)}).encode()


FORMATS: list[tuple[str, bytes]] = [
    ("log-file", log_file(DENIAL, SUCCESS)),
    ("log-file-gzip", gzip.compress(log_file(DENIAL, SUCCESS))),
    ("json-array", json.dumps([DENIAL, SUCCESS]).encode()),
    ("json-lines", b"\n".join(json.dumps(r).encode() for r in (DENIAL, SUCCESS))),
    (
        "json-lines-gzip",
        gzip.compress(b"\n".join(json.dumps(r).encode() for r in (DENIAL, SUCCESS))),
    ),
    (
        "lookup-events",
        json.dumps(
            {
                "Events": [
                    {"EventId": r["eventID"], "CloudTrailEvent": json.dumps(r)}
                    for r in (DENIAL, SUCCESS)
                ]
            }
        ).encode(),
    ),
    (
        "eventbridge-array",
        json.dumps(
            [
                {"detail-type": "AWS API Call via CloudTrail", "detail": r}
                for r in (DENIAL, SUCCESS)
            ]
        ).encode(),
    ),
    (
        "eventbridge-lines",
        b"\n".join(
            json.dumps(
                {"detail-type": "AWS API Call via CloudTrail", "detail": r}
            ).encode()
            for r in (DENIAL, SUCCESS)
        ),
    ),
    ("pretty-printed-array", json.dumps([DENIAL, SUCCESS], indent=2).encode()),
    ("utf8-bom", b"\xef\xbb\xbf" + json.dumps([DENIAL, SUCCESS]).encode()),
    ("utf16-powershell", json.dumps([DENIAL, SUCCESS]).encode("utf-16")),
    (
        "json-lines-crlf",
        b"\r\n".join(json.dumps(r).encode() for r in (DENIAL, SUCCESS)) + b"\r\n",
    ),
]


@pytest.mark.parametrize(
    "data", [pytest.param(data, id=name) for name, data in FORMATS]
)
def test_every_format_yields_its_records_in_order(data: bytes) -> None:
    items = read_bytes(data)

    assert event_ids(items) == ["denied", "ok"]
    assert [item.index for item in items] == [0, 1]


def test_single_record_file() -> None:
    items = read_bytes(json.dumps(DENIAL).encode())

    assert items == [RecordItem("<stream>", 0, DENIAL)]


def test_single_eventbridge_delivery() -> None:
    data = json.dumps({"detail-type": "AWS API Call via CloudTrail", "detail": DENIAL})

    assert event_ids(read_bytes(data.encode())) == ["denied"]


def test_other_eventbridge_detail_types_are_records_not_unwrapped() -> None:
    envelope = {"detail-type": "EC2 Instance State-change Notification", "detail": {}}

    items = read_bytes(json.dumps(envelope).encode())

    assert len(items) == 1 and isinstance(items[0], RecordItem)
    assert not is_denial(items[0].record)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"this is not json", "not JSON", id="not-json"),
        pytest.param(gzip.compress(log_file(DENIAL))[:-12], "gzip", id="truncated-gz"),
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b'{"Records": {"a": 1}}', "not a JSON array", id="records-object"),
        pytest.param(b"\xff\xfe\xfa not utf-8", "not JSON", id="invalid-utf8"),
        pytest.param(b"[" * 100_000, "not JSON", id="deeply-nested"),
        pytest.param(
            b'{"Events": [{"CloudTrailEvent": "{broken"}]}',
            "CloudTrailEvent",
            id="bad-lookup",
        ),
        pytest.param(
            b'{"detail-type": "AWS API Call via CloudTrail"}', "detail", id="no-detail"
        ),
    ],
)
def test_broken_input_becomes_one_error(data: bytes, expected: str) -> None:
    items = read_bytes(data)

    assert len(items) == 1
    assert isinstance(items[0], ReadError)
    assert expected in items[0].message


def test_non_object_record_is_an_error_and_reading_goes_on() -> None:
    data = json.dumps({"Records": [DENIAL, 42, "text", SUCCESS]}).encode()

    items = read_bytes(data)

    assert event_ids(items) == ["denied", "ok"]
    errors = [item for item in items if isinstance(item, ReadError)]
    assert [(error.index, "not int" in error.message) for error in errors] == [
        (1, True),
        (2, False),
    ]


def test_concatenated_gzip_files_from_a_pipe() -> None:
    data = gzip.compress(log_file(DENIAL)) + gzip.compress(log_file(SUCCESS))

    assert event_ids(read_bytes(data)) == ["denied", "ok"]


def test_pretty_printed_documents_one_after_another() -> None:
    data = json.dumps(DENIAL, indent=2) + "\n" + json.dumps(SUCCESS, indent=2)

    assert event_ids(read_bytes(data.encode())) == ["denied", "ok"]


def test_bad_json_line_is_an_error_naming_the_line() -> None:
    data = b"\n".join(
        [json.dumps(DENIAL).encode(), b"{oops", json.dumps(SUCCESS).encode()]
    )

    items = read_bytes(data)

    assert event_ids(items) == ["denied", "ok"]
    errors = [item for item in items if isinstance(item, ReadError)]
    assert len(errors) == 1 and "line 2" in errors[0].message


def write(path: Path, data: bytes) -> None:
    """Write a file, creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def export_tree(tmp_path: Path) -> Path:
    """An S3 export layout mixed with every other format, a digest and broken files."""
    trail = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1"
    day = trail / "2024" / "05" / "01"
    write(
        day / "a.json.gz", gzip.compress(log_file(make_record(eventID="a1"), SUCCESS))
    )
    write(day / "b.json", log_file(make_record(eventID="b1")))
    write(day / "c.json.gz", gzip.compress(log_file(DENIAL))[:-20])
    digest = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail-Digest" / "x.json.gz"
    write(digest, gzip.compress(log_file(make_record(eventID="digest"))))
    write(
        tmp_path / "exports" / "lines.jsonl",
        json.dumps(make_record(eventID="l1")).encode(),
    )
    lookup = {"Events": [{"CloudTrailEvent": json.dumps(make_record(eventID="k1"))}]}
    write(tmp_path / "exports" / "lookup.json", json.dumps(lookup).encode())
    write(tmp_path / "exports" / "notes.txt", b"not json at all")
    # No .gz suffix: gzip is found by its magic bytes.
    write(
        tmp_path / "exports" / "zipped.log",
        gzip.compress(log_file(make_record(eventID="z1"))),
    )
    return tmp_path


def test_directory_tree_reads_every_format_in_sorted_order(export_tree: Path) -> None:
    stats = ReadStats()

    items = list(iter_denials(export_tree, stats))

    assert event_ids(items) == ["a1", "b1", "l1", "k1", "z1"]
    error_sources = sorted(
        Path(i.source).name for i in items if isinstance(i, ReadError)
    )
    assert error_sources == ["c.json.gz", "notes.txt"]
    assert stats.to_dict() == {
        "files": 7,
        "records": 6,
        "denials": 5,
        "not_denials": 1,
        "errors": 2,
    }


def test_digest_files_are_skipped(export_tree: Path) -> None:
    sources = {item.source for item in iter_records(export_tree)}

    assert not any("CloudTrail-Digest" in source for source in sources)


def test_iter_denials_skips_other_failures_and_counts_them() -> None:
    stats = ReadStats()
    data = log_file(DENIAL, SUCCESS, OTHER_FAILURE)

    items = list(iter_denials(io.BytesIO(data), stats))

    assert event_ids(items) == ["denied"]
    assert (stats.denials, stats.not_denials) == (1, 2)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    items = list(iter_records(tmp_path / "absent.json"))

    assert len(items) == 1 and isinstance(items[0], ReadError)


def test_stdin_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(log_file(DENIAL))))
    monkeypatch.setattr("sys.stdin", fake_stdin)

    assert event_ids(list(iter_records("-"))) == ["denied"]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Records",
                    "Events",
                    "CloudTrailEvent",
                    "detail-type",
                    "detail",
                    "errorCode",
                    "eventVersion",
                    "x",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_any_json_never_raises(value: Any) -> None:
    data = json.dumps(value).encode()

    items = list(iter_denials(io.BytesIO(data)))

    assert all(isinstance(item, (RecordItem, ReadError)) for item in items)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_never_raise(data: bytes) -> None:
    for payload in (data, gzip.compress(data), b"\x1f\x8b" + data):
        items = list(iter_records(io.BytesIO(payload)))

        assert all(isinstance(item, (RecordItem, ReadError)) for item in items)
