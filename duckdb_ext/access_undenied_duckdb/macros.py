"""The SQL macros users call; they wrap the Python functions registered beside them.

A macro, unlike a Python function, takes any argument type: `explain_denial` accepts
a record as JSON text, as text that is not JSON (which then gets an error row rather
than a failed cast) and as the STRUCT that `read_json` produces.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from access_undenied_duckdb.fields import struct_spec

# Every Python function behind the macros starts so; users call the macros.
FUNCTION_PREFIX = "_access_undenied_"

MACROS = ("explain_denial", "explain_denial_json", "simulate_request")
TABLE_MACROS = ("cloudtrail_denials",)

# CloudTrail files hold one JSON object each, and DuckDB's default limit on one
# object (16 MiB) is smaller than a busy trail's files: allow 1 GiB.
MAXIMUM_OBJECT_SIZE = 1 << 30


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

    @classmethod
    def numbered(cls, serial: int) -> FunctionNames:
        """The names for registration number `serial`."""
        return cls(
            explain_flat=f"{FUNCTION_PREFIX}explain_flat_{serial}",
            explain_full=f"{FUNCTION_PREFIX}explain_full_{serial}",
            simulate=f"{FUNCTION_PREFIX}simulate_{serial}",
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


def cloudtrail_denials_sql(denial_error_codes: Iterable[str]) -> str:
    """The statement that (re)creates the `cloudtrail_denials` table macro.

    Each file is read as one JSON value and its records split out as JSON text:
    several times cheaper than `read_json(..., columns={'Records': 'JSON[]'})`,
    and unlike read_json's detected STRUCT it keeps values such as `eventTime` as
    written. Digest files, which share the `AWSLogs/<account>/` tree, are left out
    by their folder. Only records whose `errorCode` is a denial reach the Python
    function.
    """
    codes = ", ".join(sql_literal(code) for code in sorted(denial_error_codes))
    return f"""
CREATE OR REPLACE TEMP MACRO cloudtrail_denials(path_or_glob) AS TABLE
WITH files AS (
    SELECT filename, json_extract(json, '$.Records[*]') AS records
    FROM read_json_objects(
        path_or_glob,
        format = 'unstructured',
        filename = true,
        maximum_object_size = {MAXIMUM_OBJECT_SIZE}
    )
    WHERE filename NOT LIKE '%CloudTrail-Digest%'
),
records AS (
    SELECT
        filename,
        generate_subscripts(records, 1) - 1 AS record_index,
        unnest(records) AS record
    FROM files
),
denials AS (
    SELECT filename, record_index, record
    FROM records
    WHERE record->>'errorCode' IN ({codes})
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
        explain_denial(record) AS explained
    FROM denials
)
"""


def sql_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
