"""The DuckDB adapter on hostile rows and trees: bad input costs a row, not a query."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from robust_support import BASE_DENIAL, example_analyzer

duckdb = pytest.importorskip("duckdb", reason="DuckDB (the `duckdb` extra) is absent")

GOOD_FILE = json.dumps({"Records": [BASE_DENIAL]}).encode()
HOSTILE_ROWS = {
    "not-json": "x",
    "deeply-nested": "[" * 100_000,
    "deeply-nested-object": '{"a":' * 50_000,
    "huge-number": "9" * 5_000,
    "empty": "",
    "huge-text": "A" * 1_000_000,
    "json-null": "null",
}
# A broken file gives error rows naming it; UTF-16 is JSON the CLI reads as well.
BAD_FILES = [
    pytest.param(
        "bad.json.gz", gzip.compress(GOOD_FILE)[:30], True, id="truncated-gzip"
    ),
    pytest.param("bad.json", b"not json", True, id="not-json"),
    pytest.param("bad.json", GOOD_FILE.decode().encode("utf-16"), False, id="utf16"),
    pytest.param("bad.json", b'{"Records": 5}', True, id="records-not-a-list"),
]


@pytest.fixture(scope="module")
def con() -> Iterator[Any]:
    """A connection with the adapter registered on the example organization."""
    from access_undenied_duckdb import register

    connection = duckdb.connect()
    register(connection, example_analyzer().snapshot)
    yield connection
    connection.close()


@pytest.mark.parametrize("row", HOSTILE_ROWS.values(), ids=HOSTILE_ROWS)
def test_hostile_row_costs_its_row(con: Any, row: str) -> None:
    (result,) = con.execute("SELECT explain_denial(?)", [row]).fetchone()

    assert result["reason_code"] == "error"
    assert result["error"]


@pytest.mark.parametrize("name, data, broken", BAD_FILES)
def test_bad_file_in_a_tree_keeps_the_good_ones(
    con: Any, tmp_path: Path, name: str, data: bytes, broken: bool
) -> None:
    (tmp_path / "good.json").write_bytes(GOOD_FILE)
    (tmp_path / name).write_bytes(data)

    rows = con.execute(
        "SELECT filename, reason_code, error FROM cloudtrail_denials(?)",
        [str(tmp_path / "*")],
    ).fetchall()

    good = [row[1:] for row in rows if row[0].endswith("good.json")]
    bad = [row[1:] for row in rows if row[0].endswith(name)]
    assert len(good) == 1 and good[0][0] != "error" and good[0][1] is None
    if broken:
        assert bad and all(code == "error" and name in error for code, error in bad)
    else:
        assert bad == good
