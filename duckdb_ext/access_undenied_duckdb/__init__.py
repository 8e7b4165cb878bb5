"""DuckDB functions that explain AWS denials in SQL."""
