"""The SQL macros users call; they wrap the Python functions registered beside them.

A macro, unlike a Python function, takes any argument type: `explain_denial` accepts
a record as JSON text, as text that is not JSON (which then gets an error row rather
than a failed cast) and as the STRUCT that `read_json` produces.
"""

from __future__ import annotations

from dataclasses import dataclass

from access_undenied_duckdb.fields import encode_flat_row, error_row, struct_spec

# Every Python function behind the macros starts so; users call the macros.
FUNCTION_PREFIX = "_access_undenied_"

MACROS = ("explain_denial", "explain_denial_json", "simulate_request")
TABLE_MACROS = ("cloudtrail_denials",)

NO_FILE_MESSAGE = "no file matches this path or glob (for a folder, add /**)"


@dataclass(frozen=True)
class FunctionNames:
    """The names of one registration's Python functions.

    Each registration numbers its own: the functions live in the database's
    catalog, shared by a connection and its cursors, while the TEMP macros that
    call them belong to one of those handles.
    """

    explain_flat: str
    explain_full: str
    simulate: str
    read_denials: str

    @classmethod
    def numbered(cls, serial: int) -> FunctionNames:
        """The names for registration number `serial`."""
        return cls(
            explain_flat=f"{FUNCTION_PREFIX}explain_flat_{serial}",
            explain_full=f"{FUNCTION_PREFIX}explain_full_{serial}",
            simulate=f"{FUNCTION_PREFIX}simulate_{serial}",
            read_denials=f"{FUNCTION_PREFIX}read_denials_{serial}",
        )


def as_text(argument: str) -> str:
    """SQL giving the argument as text: itself if text or JSON, else its JSON."""
    return (
        f"CASE WHEN typeof({argument}) IN ('VARCHAR', 'JSON') "
        f"THEN {argument}::VARCHAR ELSE to_json({argument})::VARCHAR END"
    )


def scalar_macros_sql(names: FunctionNames) -> list[str]:
    """The statements that (re)create the scalar macros, connection-local."""
    explain_flat = f"{names.explain_flat}({as_text('event')})"
    return [
        "CREATE OR REPLACE TEMP MACRO explain_denial(event) AS "
        f"from_json({explain_flat}, '{struct_spec()}')",
        "CREATE OR REPLACE TEMP MACRO explain_denial_json(event) AS "
        f"{names.explain_full}({as_text('event')})",
        "CREATE OR REPLACE TEMP MACRO simulate_request(request) AS "
        f"{names.simulate}({as_text('request')})",
    ]


def cloudtrail_denials_sql(names: FunctionNames) -> str:
    """The statement that (re)creates the `cloudtrail_denials` table macro.

    DuckDB reads each file's bytes (`read_blob`) and the Python function splits
    them with the core's reader into denial records, explained, and read errors: a
    broken file costs its own error rows, never the query, and the records come out
    as the CLI reads them (every envelope, gzip by its magic bytes). Digest files,
    which share the `AWSLogs/<account>/` tree, are left out by their folder. A
    path or glob that matches no file gives one error row (`read_blob` alone
    would give none), with the path in `filename`.
    """
    return f"""
CREATE OR REPLACE TEMP MACRO cloudtrail_denials(path_or_glob) AS TABLE
WITH files AS (
    SELECT filename, {names.read_denials}(filename, content) AS items
    FROM read_blob(path_or_glob)
    WHERE filename NOT LIKE '%CloudTrail-Digest%'
),
items AS (
    SELECT
        filename,
        unnest(items.record_index) AS record_index,
        unnest(items.record) AS record,
        unnest(items.explained) AS explained
    FROM files
    UNION ALL
    SELECT path_or_glob::VARCHAR, NULL, NULL, '{no_file_row()}'
    WHERE NOT EXISTS (SELECT 1 FROM read_blob(path_or_glob))
)
SELECT
    filename,
    record_index,
    TRY_CAST(record->>'eventTime' AS TIMESTAMPTZ) AS event_time,
    record->>'eventSource' AS event_source,
    record->>'eventName' AS event_name,
    record->>'errorCode' AS error_code,
    explained.*,
    record
FROM (
    SELECT
        filename,
        record_index,
        record,
        from_json(explained, '{struct_spec()}') AS explained
    FROM items
)
"""


def no_file_row() -> str:
    """The flat error row for a path or glob that matches no file, as SQL text."""
    row = encode_flat_row(error_row(NO_FILE_MESSAGE))
    return row.replace("'", "''")
