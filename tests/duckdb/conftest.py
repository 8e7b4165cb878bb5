"""Fixtures of the DuckDB adapter tests; they skip where DuckDB is absent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied.snapshot import Snapshot  # noqa: E402
from access_undenied.snapshot.write import write_snapshot  # noqa: E402
from duckdb_trees import example_snapshot_document  # noqa: E402


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
    connection = duckdb.connect()
    yield connection
    connection.close()
