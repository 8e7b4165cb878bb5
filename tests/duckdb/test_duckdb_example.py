"""examples/duckdb.sql runs start to end on the bundled example data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from duckdb_trees import EXAMPLES

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb.__main__ import main  # noqa: E402

WALK_THROUGH = EXAMPLES / "duckdb.sql"


def test_the_walk_through_runs(
    snapshot_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    statements = duckdb.extract_statements(WALK_THROUGH.read_text())

    status = main(["--snapshot", str(snapshot_path), str(WALK_THROUGH)])

    printed = capsys.readouterr()
    assert status == 0, printed.err
    assert len(statements) >= 10
    assert "scp_explicit_deny" in printed.out
    assert "is not JSON" in printed.out
    assert "Allowed" in printed.out


def test_a_missing_snapshot_is_one_clear_error(tmp_path: Path, capsys: Any) -> None:
    status = main(["--snapshot", str(tmp_path / "absent.json"), str(WALK_THROUGH)])

    assert status == 1
    assert "does not exist" in capsys.readouterr().err
