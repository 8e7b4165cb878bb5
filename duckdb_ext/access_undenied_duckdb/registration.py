"""`register(con, snapshot=...)`: the functions, macros and tables on a connection.

Python functions live in the database's catalog, shared by a connection and its
cursors, and a name registered twice is an error; the macros and tables are TEMP
objects of the one handle registered. Each registration numbers its functions and
removes those of earlier registrations through the same handle, so a second call
swaps the snapshot in place.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Union

import duckdb
from access_undenied import simulate
from access_undenied.analyze.analyzer import Analyzer
from access_undenied.snapshot import Snapshot, load_snapshot
from duckdb import sqltypes
from duckdb.func import FunctionNullHandling

from access_undenied_duckdb.files import FileExplainer
from access_undenied_duckdb.functions import RowFunctions
from access_undenied_duckdb.macros import (
    FUNCTION_PREFIX,
    MACROS,
    TABLE_MACROS,
    FunctionNames,
    cloudtrail_denials_sql,
    scalar_macros_sql,
)
from access_undenied_duckdb.tables import TABLES, create_tables

logger = logging.getLogger(__name__)

# Numbers the Python functions of each registration (see `FunctionNames`).
REGISTRATION_SERIALS = itertools.count(1)

SnapshotSource = Union[str, "os.PathLike[str]", Snapshot]


@dataclass(frozen=True)
class Registration:
    """What `register` put on the connection: functions, tables (with row counts)."""

    snapshot: Snapshot
    functions: tuple[str, ...]
    tables: Mapping[str, int] = field(default_factory=dict)


def register(
    connection: duckdb.DuckDBPyConnection,
    snapshot: SnapshotSource,
    **analyzer_options: Any,
) -> Registration:
    """Register everything on a connection, replacing an earlier registration.

    `snapshot` is a snapshot file (`.json` or `.json.gz`) or a loaded `Snapshot`.
    The snapshot is loaded before anything is replaced, so a snapshot that fails to
    load leaves an earlier registration working. `analyzer_options` go to
    `access_undenied.analyze.analyzer.Analyzer` (`cache_limit`).
    """
    loaded = resolve_snapshot(snapshot)
    row_functions = build_row_functions(loaded, analyzer_options)

    names = FunctionNames.numbered(next(REGISTRATION_SERIALS))
    remove_functions(connection)
    create_functions(connection, names, row_functions)
    for statement in scalar_macros_sql(names):
        connection.execute(statement)
    connection.execute(cloudtrail_denials_sql(names))

    counts = create_tables(connection, loaded)
    return Registration(loaded, (*MACROS, *TABLE_MACROS), counts)


def resolve_snapshot(snapshot: SnapshotSource) -> Snapshot:
    """A loaded snapshot from a path or a snapshot; anything else is refused."""
    if isinstance(snapshot, Snapshot):
        return snapshot
    if isinstance(snapshot, (str, os.PathLike)):
        return load_snapshot(snapshot)
    raise TypeError(
        f"snapshot must be a path or an access_undenied Snapshot, not "
        f"{type(snapshot).__name__}"
    )


def build_row_functions(
    snapshot: Snapshot, analyzer_options: Mapping[str, Any]
) -> RowFunctions:
    """The per-row functions bound to an analyzer of this snapshot."""
    analyzer = Analyzer(snapshot, **analyzer_options)
    return RowFunctions(analyzer, simulate)


def remove_functions(connection: duckdb.DuckDBPyConnection) -> None:
    """Remove the Python functions earlier registrations made through this handle.

    Those made through another handle of the same database (the connection of a
    cursor, say) cannot be removed from here and stay, serving that handle.
    """
    listed = connection.execute(
        "SELECT DISTINCT function_name FROM duckdb_functions() "
        "WHERE starts_with(function_name, ?)",
        [FUNCTION_PREFIX],
    ).fetchall()
    for (name,) in listed:
        try:
            connection.remove_function(name)
        except duckdb.InvalidInputException:
            logger.debug("function %s belongs to another handle", name)


def create_functions(
    connection: duckdb.DuckDBPyConnection,
    names: FunctionNames,
    row_functions: RowFunctions,
) -> None:
    """Register the Python functions the macros call.

    NULL in gives NULL out (`null_handling="special"`); the functions catch every
    error per row themselves, and `exception_handling="return_null"` backs that up.
    """
    text = sqltypes.VARCHAR
    json_type = duckdb.sqltype("JSON")
    signatures = (
        (names.explain_flat, row_functions.explain_flat, text),
        (names.explain_full, row_functions.explain_full, json_type),
        (names.simulate, row_functions.simulate, json_type),
    )
    for name, function, return_type in signatures:
        connection.create_function(
            name,
            function,
            [text],
            return_type,
            null_handling=FunctionNullHandling.SPECIAL,
            exception_handling=duckdb.PythonExceptionHandling.RETURN_NULL,
        )
    explainer = FileExplainer(row_functions.explain_parsed)
    create_file_function(connection, names.read_denials, explainer)


def create_file_function(
    connection: duckdb.DuckDBPyConnection, name: str, explainer: FileExplainer
) -> None:
    """Register the function `cloudtrail_denials` reads each file's bytes with.

    It takes the file's name and content and returns the parallel lists of
    `access_undenied_duckdb.files.FileExplainer.read`; it catches every error
    itself.
    """
    text = sqltypes.VARCHAR
    items = duckdb.struct_type(
        {
            "record_index": duckdb.list_type(sqltypes.BIGINT),
            "record": duckdb.list_type(duckdb.sqltype("JSON")),
            "explained": duckdb.list_type(text),
        }
    )
    connection.create_function(
        name,
        explainer.read,
        [text, sqltypes.BLOB],
        items,
        null_handling=FunctionNullHandling.SPECIAL,
        exception_handling=duckdb.PythonExceptionHandling.RETURN_NULL,
    )


def unregister(connection: duckdb.DuckDBPyConnection) -> None:
    """Remove every function, macro and snapshot table `register` created."""
    remove_functions(connection)
    for name in MACROS:
        connection.execute(f"DROP MACRO IF EXISTS temp.{name}")
    for name in TABLE_MACROS:
        connection.execute(f"DROP MACRO TABLE IF EXISTS temp.{name}")
    for name in TABLES:
        connection.execute(f"DROP TABLE IF EXISTS temp.{name}")
