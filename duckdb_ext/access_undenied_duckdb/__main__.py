"""`python -m access_undenied_duckdb --snapshot S FILE.sql`: run SQL with it all there.

The DuckDB shell cannot load Python functions, so this runs a SQL file (or stdin,
`-`) on a connection where `register` has put the functions, macros and snapshot
tables, and prints each query's result as the shell would.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import duckdb
from access_undenied.errors import AccessUndeniedError

from access_undenied_duckdb.registration import register

logger = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The command line of the runner."""
    parser = argparse.ArgumentParser(
        prog="python -m access_undenied_duckdb",
        description="Run SQL on DuckDB with the Access Undenied functions registered.",
    )
    parser.add_argument("--snapshot", required=True, help="snapshot file to load")
    parser.add_argument("--database", default=":memory:", help="DuckDB database")
    parser.add_argument("--max-width", type=int, default=160, help="table width")
    parser.add_argument("sql_file", help="SQL file to run, `-` for stdin")
    return parser


def read_sql(path: str) -> str:
    """The SQL text of a file, or of stdin for `-`."""
    if path == "-":
        return sys.stdin.read()
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def run_script(connection: duckdb.DuckDBPyConnection, sql: str, max_width: int) -> None:
    """Run each statement; print the result of each query."""
    for statement in duckdb.extract_statements(sql):
        text = statement.query.strip()
        print(f"\n{text}")
        if statement.type is duckdb.StatementType.SELECT:
            connection.sql(text).show(max_width=max_width, max_rows=40)
        else:
            connection.execute(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Register on a connection and run the SQL; returns the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    connection = duckdb.connect(args.database)
    try:
        register(connection, snapshot=args.snapshot)
        run_script(connection, read_sql(args.sql_file), args.max_width)
    except (AccessUndeniedError, duckdb.Error, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
