"""The snapshot as SQL tables, in the spirit of Steampipe's AWS tables.

Each table is a connection-local TEMP table, replaced whole when `register` is
called again. They join with the denials: `snapshot_principals.arn` with an
explanation's `fix_target`, `snapshot_statements.policy_id` with `policy_arn`, ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np
from access_undenied.snapshot import Snapshot

from access_undenied_duckdb import snapshot_rows as rows

logger = logging.getLogger(__name__)

Column = tuple[str, str]

TEXT_LIST = "VARCHAR[]"

# Table name -> its columns (name, DuckDB type), in the order the rows give them.
TABLES: dict[str, tuple[Column, ...]] = {
    "snapshot_principals": (
        ("arn", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("name", "VARCHAR"),
        ("path", "VARCHAR"),
        ("unique_id", "VARCHAR"),
        ("tags", "JSON"),
        ("group_arns", TEXT_LIST),
        ("permissions_boundary_arn", "VARCHAR"),
        ("missing_policies", TEXT_LIST),
        ("session_arn_prefix", "VARCHAR"),
    ),
    "snapshot_principal_policies": (
        ("principal_arn", "VARCHAR"),
        ("policy_id", "VARCHAR"),
        ("policy_type", "VARCHAR"),
        ("attachment_target_arn", "VARCHAR"),
    ),
    "snapshot_policies": (
        ("policy_id", "VARCHAR"),
        ("arn", "VARCHAR"),
        ("name", "VARCHAR"),
        ("policy_type", "VARCHAR"),
        ("aws_managed", "BOOLEAN"),
        ("statement_count", "INTEGER"),
        ("document", "JSON"),
    ),
    "snapshot_statements": (
        ("policy_id", "VARCHAR"),
        ("statement_index", "INTEGER"),
        ("sid", "VARCHAR"),
        ("effect", "VARCHAR"),
        ("actions", TEXT_LIST),
        ("not_actions", TEXT_LIST),
        ("resources", TEXT_LIST),
        ("not_resources", TEXT_LIST),
        ("principal", "JSON"),
        ("not_principal", "JSON"),
        ("condition", "JSON"),
        ("statement", "JSON"),
    ),
    "snapshot_organization_nodes": (
        ("id", "VARCHAR"),
        ("arn", "VARCHAR"),
        ("name", "VARCHAR"),
        ("node_type", "VARCHAR"),
        ("parent_id", "VARCHAR"),
        ("is_account", "BOOLEAN"),
        ("organization_id", "VARCHAR"),
        ("management_account_id", "VARCHAR"),
    ),
    "snapshot_organization_attachments": (
        ("node_id", "VARCHAR"),
        ("node_arn", "VARCHAR"),
        ("policy_id", "VARCHAR"),
        ("policy_type", "VARCHAR"),
        ("policy_name", "VARCHAR"),
        ("aws_managed", "BOOLEAN"),
    ),
    "snapshot_resource_policies": (
        ("arn", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("resource_type", "VARCHAR"),
        ("policy_id", "VARCHAR"),
        ("public_access_block", "JSON"),
    ),
}

# The numpy dtype that carries each column type from Python into DuckDB.
NUMPY_DTYPES: dict[str, Any] = {"BOOLEAN": np.bool_, "INTEGER": np.int64}

# Scratch view name for the rows on their way into a table.
STAGING_VIEW = "_access_undenied_staging"


def table_rows(snapshot: Snapshot) -> dict[str, Callable[[], Iterator[rows.Row]]]:
    """Per table, a function that yields its rows from the snapshot."""
    policies = rows.distinct_policies(snapshot)
    return {
        "snapshot_principals": lambda: rows.principal_rows(snapshot),
        "snapshot_principal_policies": lambda: rows.principal_policy_rows(snapshot),
        "snapshot_policies": lambda: rows.policy_rows(policies),
        "snapshot_statements": lambda: rows.statement_rows(policies),
        "snapshot_organization_nodes": lambda: rows.organization_node_rows(snapshot),
        "snapshot_organization_attachments": lambda: rows.organization_attachment_rows(
            snapshot
        ),
        "snapshot_resource_policies": lambda: rows.resource_policy_rows(snapshot),
    }


def create_tables(connection: Any, snapshot: Snapshot) -> dict[str, int]:
    """Create (or replace) every snapshot table; returns the row count of each."""
    counts: dict[str, int] = {}
    for name, make_rows in table_rows(snapshot).items():
        counts[name] = load_table(connection, name, TABLES[name], make_rows())
    logger.info("snapshot tables: %s", counts)
    return counts


def load_table(
    connection: Any, name: str, columns: tuple[Column, ...], table: Iterable[rows.Row]
) -> int:
    """Replace one TEMP table with the given rows."""
    definition = ", ".join(f'"{column}" {kind}' for column, kind in columns)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({definition})")

    values = list(table)
    if not values:
        return 0
    staging = column_arrays(columns, values)
    connection.register(STAGING_VIEW, staging)
    try:
        select = ", ".join(typed_column(column, kind) for column, kind in columns)
        connection.execute(f"INSERT INTO {name} SELECT {select} FROM {STAGING_VIEW}")
    finally:
        connection.unregister(STAGING_VIEW)
    return len(values)


def column_arrays(
    columns: tuple[Column, ...], values: list[rows.Row]
) -> dict[str, np.ndarray[Any, Any]]:
    """The rows as one numpy array per column, the form DuckDB scans directly."""
    arrays: dict[str, np.ndarray[Any, Any]] = {}
    for position, (column, kind) in enumerate(columns):
        dtype = NUMPY_DTYPES.get(kind, object)
        array = np.empty(len(values), dtype=dtype)
        array[:] = [row[position] for row in values]
        arrays[column] = array
    return arrays


def typed_column(column: str, kind: str) -> str:
    """SQL that turns a staged column (JSON text for lists) into its type."""
    if kind == TEXT_LIST:
        return f"""from_json("{column}", '["VARCHAR"]')"""
    if kind == "JSON":
        return f'"{column}"::JSON'
    return f'"{column}"'
