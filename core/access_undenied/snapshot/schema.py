"""The published snapshot JSON Schema and validation that names the bad field."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from access_undenied.errors import SnapshotError
from access_undenied.snapshot.fast_schema import Predicate, compile_schema

SCHEMA_RESOURCE = "snapshot.json"

# Messages quote the offending value; a policy document is cut short.
MAX_MESSAGE = 160


@functools.lru_cache(maxsize=1)
def snapshot_schema() -> Mapping[str, Any]:
    """The snapshot JSON Schema shipped in `access_undenied/schemas/`."""
    text = (
        resources.files("access_undenied")
        .joinpath("schemas")
        .joinpath(SCHEMA_RESOURCE)
        .read_text(encoding="utf-8")
    )
    schema: Mapping[str, Any] = json.loads(text)
    return schema


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = snapshot_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _fast_check() -> Predicate:
    return compile_schema(snapshot_schema())


def validate_document(document: Any) -> None:
    """Raise `SnapshotError` naming the first field that breaks the schema."""
    if _fast_check()(document):
        return

    import jsonschema

    error = jsonschema.exceptions.best_match(_validator().iter_errors(document))
    if error is None:
        return
    message = error.message
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "..."
    raise SnapshotError(f"snapshot {field_path(error.absolute_path)}: {message}")


def field_path(path: Any) -> str:
    """A JSON path like `accounts.111111111111.RoleDetailList[3].Arn`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "(document)"
