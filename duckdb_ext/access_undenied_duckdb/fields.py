"""The STRUCT that `explain_denial` returns: its fields and their DuckDB types.

The Python function hands DuckDB one JSON object per row and SQL turns it into the
STRUCT with `from_json`, which runs vectorised; returning a Python dict for a STRUCT
costs DuckDB several times more per row than the explanation itself.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from typing import Any

from access_undenied.analyze.reasons import ReasonCode, assessment_result

# Field name -> the `from_json` type of the field, in the order of the STRUCT.
EXPLAIN_FIELD_TYPES: dict[str, Any] = {
    "event_id": "VARCHAR",
    "reason_code": "VARCHAR",
    "assessment_result": "VARCHAR",
    "explanation": "VARCHAR",
    "principal": "VARCHAR",
    "action": "VARCHAR",
    "resource": "VARCHAR",
    "denied_by": ["VARCHAR"],
    "policy_arn": "VARCHAR",
    "statement_sid": "VARCHAR",
    "fix_target": "VARCHAR",
    "fix_policy": "JSON",
    "unsupported": ["VARCHAR"],
    "error": "VARCHAR",
}

LIST_FIELDS = frozenset(k for k, v in EXPLAIN_FIELD_TYPES.items() if v == ["VARCHAR"])
JSON_FIELDS = frozenset(k for k, v in EXPLAIN_FIELD_TYPES.items() if v == "JSON")


def struct_spec() -> str:
    """The `from_json` structure argument, as SQL string literal text."""
    return json.dumps(EXPLAIN_FIELD_TYPES).replace("'", "''")


def encode_flat_row(flat: Mapping[str, Any]) -> str:
    """One flat result as the JSON object `from_json` reads into the STRUCT.

    Every value is coerced to its declared type, so a surprise in one row gives a
    readable value, never a query that fails on the whole batch.
    """
    row = {name: coerce_value(name, flat.get(name)) for name in EXPLAIN_FIELD_TYPES}
    return json.dumps(row, separators=(",", ":"))


def encode_body_fragment(flat: Mapping[str, Any]) -> str:
    """Every flat field but `event_id`, as JSON object members without braces."""
    row = {
        name: coerce_value(name, flat.get(name))
        for name in EXPLAIN_FIELD_TYPES
        if name != "event_id"
    }
    return json.dumps(row, separators=(",", ":"))[1:-1]


def join_row(event_id: Any, fragment: str) -> str:
    """A full flat row from the record's event id and a body fragment."""
    text = json.dumps(None if event_id is None else coerce_text(event_id))
    return f'{{"event_id":{text},{fragment}}}'


def coerce_value(name: str, value: Any) -> Any:
    """A field value as its declared type: text, a list of text, or a JSON value."""
    if value is None:
        return [] if name in LIST_FIELDS else None
    if name in LIST_FIELDS:
        return coerce_list(value)
    if name in JSON_FIELDS:
        return decode_json_field(value)
    return coerce_text(value)


def coerce_text(value: Any) -> str:
    """A scalar as text; an enum member gives its value, as the CLI prints it."""
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) else str(value)


def coerce_list(value: Any) -> list[str]:
    """A list field as a list of text; a lone value becomes a one-item list."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [coerce_text(value)]
    return [coerce_text(item) for item in value]


def decode_json_field(value: Any) -> Any:
    """A JSON field: JSON text is decoded so it nests; text that is not JSON stays."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def error_row(message: str, event_id: str | None = None) -> dict[str, Any]:
    """A flat row for a record that could not be explained."""
    return {
        "event_id": event_id,
        "reason_code": ReasonCode.ERROR.value,
        "assessment_result": assessment_result(ReasonCode.ERROR),
        "explanation": message,
        "error": message,
        "denied_by": [],
        "unsupported": [],
    }
