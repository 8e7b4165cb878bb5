"""cloudtrail_denials over a tree with broken files: each costs its own rows only."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied.cli import main as cli_main
from access_undenied.cloudtrail import is_denial
from duckdb_trees import ACCOUNT, day_folder, example_records, write_tree

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb import register  # noqa: E402

TRUNCATED = f"{ACCOUNT}_CloudTrail_eu-west-1_truncated.json.gz"
NOT_JSON = f"{ACCOUNT}_CloudTrail_eu-west-1_not-json.json"
BROKEN = (TRUNCATED, NOT_JSON)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good files (plain, gzipped), a truncated .gz, a non-JSON file, a digest."""
    root = tmp_path_factory.mktemp("broken")
    records = example_records()
    write_tree(root, records, [])
    folder = day_folder(root, ACCOUNT, "eu-west-1", "2026/11/20")
    whole = gzip.compress(json.dumps({"Records": records}).encode("utf-8"))
    (folder / TRUNCATED).write_bytes(whole[: len(whole) // 2])
    (folder / NOT_JSON).write_bytes(b"<Error><Code>AccessDenied</Code></Error>")
    return root


def sql_rows(con: Any, root: Path) -> list[dict[str, Any]]:
    """cloudtrail_denials over the whole tree, as dicts."""
    result = con.execute(
        "SELECT * FROM cloudtrail_denials(?) ORDER BY filename, record_index",
        [str(root / "AWSLogs" / "**")],
    )
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def cli_places(root: Path, snapshot_path: Path, capsys: Any) -> dict[Any, str]:
    """(file name, index) -> reason code of the CLI's results over the tree."""
    capsys.readouterr()
    cli_main(["analyze", "--events-file", str(root), "--snapshot", str(snapshot_path)])
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {
        (Path(r["Source"]["File"]).name, r["Source"]["Index"]): r["ReasonCode"]
        for r in results
    }


def test_good_files_are_answered_and_each_broken_file_gives_its_error(
    con: Any, snapshot_path: Path, tree: Path
) -> None:
    register(con, snapshot=snapshot_path)
    denials = sum(1 for record in example_records() if is_denial(record))

    rows = sql_rows(con, tree)

    explained = [row for row in rows if Path(row["filename"]).name not in BROKEN]
    assert len(explained) == denials > 10
    assert all(row["error"] is None and row["record"] for row in explained)
    for name in BROKEN:
        (row,) = [r for r in rows if Path(r["filename"]).name == name]
        assert row["reason_code"] == "error" and name in row["error"]
        assert row["record"] is None and row["record_index"] is None
    assert not any("CloudTrail-Digest" in row["filename"] for row in rows)


def test_the_rows_are_the_clis_results_place_for_place(
    con: Any, snapshot_path: Path, tree: Path, capsys: Any
) -> None:
    register(con, snapshot=snapshot_path)
    expected = cli_places(tree, snapshot_path, capsys)

    rows = sql_rows(con, tree)

    places = {
        (Path(row["filename"]).name, row["record_index"]): row["reason_code"]
        for row in rows
    }
    assert places == expected
    assert set(BROKEN) <= {name for name, _ in places}


def test_only_the_denials_are_explained(
    con: Any, snapshot_path: Path, tree: Path, explain_calls: list[Any]
) -> None:
    register(con, snapshot=snapshot_path)

    rows = sql_rows(con, tree)

    assert len(explain_calls) == sum(1 for row in rows if row["error"] is None)
    assert len(explain_calls) < len(rows)


def test_a_path_that_matches_no_file_gives_an_error_row(
    con: Any, snapshot_path: Path, tmp_path: Path
) -> None:
    register(con, snapshot=snapshot_path)
    missing = str(tmp_path / "AWSLogs" / "**")

    rows = sql_rows(con, tmp_path)

    assert [(r["filename"], r["reason_code"], r["record"]) for r in rows] == [
        (missing, "error", None)
    ]
    assert "no file matches" in rows[0]["error"]
