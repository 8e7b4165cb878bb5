"""Flat rows of repeated results are reused only for the very same result body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from access_undenied.analyze import Analyzer, flatten_result
from access_undenied.snapshot import Snapshot
from duckdb_trees import example_records

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb.flat_cache import FlatEncoder  # noqa: E402


def denial(index: int = 0) -> dict[str, Any]:
    """The example denials with a principal in the snapshot, by position."""
    found = [
        r
        for r in example_records()
        if r.get("errorCode") and "assumed-role" in r["userIdentity"].get("arn", "")
    ]
    return found[index]


def encode(encoder: FlatEncoder, analyzer: Analyzer, record: Any) -> dict[str, Any]:
    """The flat row of a record, through the encoder, decoded."""
    result, line = analyzer.explain(record, None, None)
    return dict(json.loads(encoder.encode(record, result, line)))


def expected(analyzer: Analyzer, record: Any) -> dict[str, Any]:
    """The flat fields the core gives, with the policy decoded."""
    flat = flatten_result(analyzer.explain_record(record))
    fix = flat["fix_policy"]
    return {**flat, "fix_policy": json.loads(fix) if fix else None}


def test_a_repeat_with_another_id_and_time_reuses_the_body(snapshot: Snapshot) -> None:
    analyzer, encoder = Analyzer(snapshot), FlatEncoder()
    first = denial()
    again = dict(first, eventID="again-1", eventTime="2026-11-21T00:00:00Z")

    rows = [encode(encoder, analyzer, record) for record in (first, again)]

    assert len(encoder._fragments) == 1
    assert rows == [expected(analyzer, first), expected(analyzer, again)]
    assert rows[1]["event_id"] == "again-1"


def test_another_session_is_another_body(snapshot: Snapshot) -> None:
    analyzer, encoder = Analyzer(snapshot), FlatEncoder()
    first = denial()
    identity = dict(first["userIdentity"])
    identity["arn"] = identity["arn"].rsplit("/", 1)[0] + "/another-session"
    other = dict(first, userIdentity=identity, eventID="other-1")

    rows = [encode(encoder, analyzer, record) for record in (first, other)]

    assert len(encoder._fragments) == 2
    assert rows[1]["principal"].endswith("/another-session")
    assert rows == [expected(analyzer, first), expected(analyzer, other)]


def test_a_line_of_another_layout_is_parsed_not_cached(snapshot: Snapshot) -> None:
    analyzer, encoder = Analyzer(snapshot), FlatEncoder()
    record = denial()
    result, line = analyzer.explain(record, None, None)

    row = json.loads(encoder.encode({"eventID": "elsewhere"}, result, line))

    assert encoder._fragments == {}
    assert row == expected(analyzer, record)


def test_the_cache_is_bounded(snapshot: Snapshot) -> None:
    analyzer, encoder = Analyzer(snapshot), FlatEncoder(limit=2)
    records = [denial(n) for n in range(5)]

    rows = [encode(encoder, analyzer, record) for record in records]

    assert len(encoder._fragments) <= 2
    assert rows == [expected(analyzer, record) for record in records]
