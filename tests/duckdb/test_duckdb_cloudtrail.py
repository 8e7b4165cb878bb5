"""cloudtrail_denials over a CloudTrail tree gives the CLI's answers, row for row."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied.analyze.fields import flatten_result
from access_undenied.cli import main as cli_main
from access_undenied.cloudtrail import is_denial
from duckdb_trees import (
    ACCOUNT,
    day_folder,
    example_records,
    not_a_denial,
    write_log_file,
    write_tree,
)

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb import register  # noqa: E402

# Result fields that say where a record was read from, which differs by design:
# the CLI names the file, SQL rows carry `filename` and `record_index` instead.
WHERE_READ = ("Source",)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Example denials in a plain and a gzipped file, successes in a third."""
    root = tmp_path_factory.mktemp("cloudtrail")
    records = example_records()
    successes = [not_a_denial(record, n) for n, record in enumerate(records)]
    write_tree(root, records, successes)
    return root


def tree_glob(root: Path) -> str:
    """Every file under the tree's AWSLogs folder."""
    return str(root / "AWSLogs" / "**")


def cli_results(root: Path, snapshot_path: Path, capsys: Any) -> list[dict[str, Any]]:
    """The CLI's results over the tree, one per denial (JSON Lines on stdout)."""
    capsys.readouterr()
    status = cli_main(
        ["analyze", "--events-file", str(root), "--snapshot", str(snapshot_path)]
    )
    lines = capsys.readouterr().out.splitlines()
    assert status in (0, 1)
    return [json.loads(line) for line in lines if line.strip()]


def by_place(results: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """Results keyed by (file name, record index)."""
    keyed = {}
    for result in results:
        source = result["Source"]
        keyed[(Path(source["File"]).name, source["Index"])] = result
    return keyed


def without(result: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A result without some fields."""
    return {key: value for key, value in result.items() if key not in fields}


def sql_rows(con: Any, root: Path) -> list[dict[str, Any]]:
    """cloudtrail_denials over the tree, with explain_denial_json beside each row."""
    result = con.execute(
        "SELECT *, explain_denial_json(record) AS full_result "
        "FROM cloudtrail_denials(?) ORDER BY filename, record_index",
        [tree_glob(root)],
    )
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def test_every_denial_and_only_denials_come_out(
    con: Any, snapshot_path: Path, tree: Path
) -> None:
    register(con, snapshot=snapshot_path)
    expected = sum(1 for record in example_records() if is_denial(record))

    rows = sql_rows(con, tree)

    assert len(rows) == expected > 10
    assert {row["reason_code"] for row in rows}.isdisjoint({"not_a_denial"})
    assert not any("CloudTrail-Digest" in row["filename"] for row in rows)
    assert {Path(row["filename"]).suffix for row in rows} == {".json", ".gz"}


def test_the_explanations_equal_the_cli_row_for_row(
    con: Any, snapshot_path: Path, tree: Path, capsys: Any
) -> None:
    register(con, snapshot=snapshot_path)
    cli = by_place(cli_results(tree, snapshot_path, capsys))

    rows = sql_rows(con, tree)

    assert {(Path(r["filename"]).name, r["record_index"]) for r in rows} == set(cli)
    for row in rows:
        expected = cli[(Path(row["filename"]).name, row["record_index"])]
        full = json.loads(row["full_result"])
        assert without(full, WHERE_READ) == without(expected, WHERE_READ)
        assert flat_of(row) == comparable(flatten_result(expected))


def flat_of(row: dict[str, Any]) -> dict[str, Any]:
    """The flat explanation columns of a cloudtrail_denials row."""
    return comparable({name: row[name] for name in flatten_result({})})


def comparable(flat: dict[str, Any]) -> dict[str, Any]:
    """A flat row with its JSON policy decoded, so spacing does not matter."""
    fix = flat.get("fix_policy")
    return {**flat, "fix_policy": json.loads(fix) if fix is not None else None}


def test_the_record_columns_come_from_the_record(
    con: Any, snapshot_path: Path, tree: Path
) -> None:
    register(con, snapshot=snapshot_path)

    for row in sql_rows(con, tree):
        record = json.loads(row["record"])
        assert row["event_id"] == record["eventID"]
        assert row["event_name"] == record["eventName"]
        assert row["error_code"] == record["errorCode"]


@pytest.mark.slow
def test_a_file_larger_than_duckdbs_default_object_limit_is_read(
    con: Any, snapshot_path: Path, tmp_path: Path
) -> None:
    register(con, snapshot=snapshot_path)
    denials = [r for r in example_records() if is_denial(r)][:3]
    filler = not_a_denial(denials[0], 0)
    filler["requestParameters"] = {"padding": "x" * 4000}
    records = [*denials, *([filler] * 4500)]
    folder = day_folder(tmp_path, ACCOUNT, "us-east-1", "2026/11/21")
    path = write_log_file(folder / "big.json", records)
    assert path.stat().st_size > 16 * 1024 * 1024

    rows = sql_rows(con, tmp_path)

    assert [row["event_id"] for row in rows] == [r["eventID"] for r in denials]


def test_a_list_of_globs_is_read(con: Any, snapshot_path: Path, tree: Path) -> None:
    register(con, snapshot=snapshot_path)
    plain = str(tree / "AWSLogs" / "**" / "*.json")
    gzipped = str(tree / "AWSLogs" / "**" / "*.json.gz")

    both = con.execute(
        "SELECT count(*) FROM cloudtrail_denials([?, ?])", [plain, gzipped]
    ).fetchall()
    alone = con.execute(
        "SELECT count(*) FROM cloudtrail_denials(?)", [tree_glob(tree)]
    ).fetchall()

    assert both == alone


def test_denials_join_the_principal_that_made_them(
    con: Any, snapshot_path: Path, tree: Path, snapshot: Any
) -> None:
    register(con, snapshot=snapshot_path)

    rows = con.execute(
        "SELECT d.principal, "
        "coalesce(list(DISTINCT p.arn) FILTER (p.arn IS NOT NULL), []) "
        "FROM cloudtrail_denials(?) d LEFT JOIN snapshot_principals p "
        "ON d.principal = p.arn OR starts_with(d.principal, p.session_arn_prefix) "
        "WHERE d.principal IS NOT NULL GROUP BY d.principal",
        [tree_glob(tree)],
    ).fetchall()

    assert any(":assumed-role/" in principal for principal, _ in rows)
    for principal, joined in rows:
        found = snapshot.principal(principal)
        assert joined == ([found.arn] if found is not None else []), principal


def test_each_denial_is_explained_once(
    con: Any, snapshot_path: Path, tree: Path, explain_calls: list[Any]
) -> None:
    register(con, snapshot=snapshot_path)

    rows = sql_rows(con, tree)

    assert len(explain_calls) == len(rows)
