"""Fixtures of the DuckDB adapter tests; they skip where DuckDB is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from access_undenied.snapshot import Snapshot
from access_undenied.snapshot.write import write_snapshot
from duckdb_trees import example_snapshot_document

# Each test module skips itself with this reason where DuckDB is absent.
NO_DUCKDB = "DuckDB is not installed (the `duckdb` extra, Python 3.11+)"


@pytest.fixture(scope="session")
def snapshot_document() -> dict[str, Any]:
    """The example organization's snapshot document."""
    return example_snapshot_document()


@pytest.fixture(scope="session")
def snapshot_path(
    tmp_path_factory: pytest.TempPathFactory, snapshot_document: dict[str, Any]
) -> Path:
    """The example snapshot, written gzipped."""
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.json.gz"
    write_snapshot(snapshot_document, path)
    return path


@pytest.fixture(scope="session")
def snapshot(snapshot_document: dict[str, Any]) -> Snapshot:
    """The example snapshot, loaded."""
    return Snapshot.from_document(snapshot_document)


@pytest.fixture
def con() -> Any:
    """A fresh in-memory DuckDB connection."""
    duckdb = pytest.importorskip("duckdb", reason=NO_DUCKDB)
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture
def explain_calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The records that reach `RowFunctions.explain_parsed`, recorded as it runs."""
    pytest.importorskip("duckdb", reason=NO_DUCKDB)
    from access_undenied_duckdb.functions import RowFunctions

    calls: list[Any] = []
    original = RowFunctions.explain_parsed

    def counted(self: RowFunctions, record: Any) -> str:
        calls.append(record)
        return original(self, record)

    monkeypatch.setattr(RowFunctions, "explain_parsed", counted)
    return calls
