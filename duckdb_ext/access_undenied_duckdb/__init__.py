"""DuckDB functions that explain AWS denials in SQL, beside the snapshot as tables.

`register(con, snapshot="snapshot.json.gz")` puts `explain_denial`,
`explain_denial_json`, `simulate_request`, the `cloudtrail_denials` table macro and
the `snapshot_*` tables on a DuckDB connection; calling it again swaps the snapshot.
"""

from __future__ import annotations

from access_undenied_duckdb.registration import Registration, register, unregister

__all__ = ["Registration", "register", "unregister"]
