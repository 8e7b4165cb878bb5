"""`simulate`: the engine's public JSON contract.

A request dict (see `schemas/simulate-request.json`) is validated, its policies parsed,
the request evaluated, and the result returned as a JSON-able dict (see
`schemas/simulate-result.json`). A policy is a document, its JSON text, or
`{"id": ..., "document": ...}` to name it in the result; unnamed policies are named by
their place in the request, e.g. `identity_policies[2]` or `scps[0][1]`.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from access_undenied.engine.evaluate import evaluate
from access_undenied.engine.model import EvaluationRequest, PolicyLevels
from access_undenied.errors import RequestSchemaError
from access_undenied.policy.model import Policy
from access_undenied.policy.parse import parse_policy

logger = logging.getLogger(__name__)

SCHEMA_DIRECTORY = Path(__file__).resolve().parent.parent / "schemas"
REQUEST_SCHEMA = "simulate-request.json"
RESULT_SCHEMA = "simulate-result.json"


def simulate(request: Mapping[str, Any]) -> dict[str, Any]:
    """Evaluate a simulate request; raises RequestSchemaError, PolicyParseError."""
    validate_request(request)
    evaluation_request = build_evaluation_request(request)
    result = evaluate(evaluation_request).to_dict()
    logger.debug("simulate %s -> %s", request.get("action"), result["decision"])
    return result


@functools.lru_cache(maxsize=8)
def load_schema(name: str) -> dict[str, Any]:
    """One of the shipped JSON Schemas, by file name."""
    with (SCHEMA_DIRECTORY / name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def validate_request(request: Any) -> None:
    """Check a request against simulate-request.json; the error names the field."""
    from jsonschema.exceptions import best_match  # deferred: nothing heavy at import

    error = best_match(_request_validator().iter_errors(request))
    if error is None:
        return
    path = list(error.absolute_path)
    named = _named_fields(error)
    if named:
        fields = ", ".join(field_path([*path, name]) for name in named)
        raise RequestSchemaError(f"request field {fields}: {_REASONS[error.validator]}")
    raise RequestSchemaError(f"request field {field_path(path)}: {error.message}")


@functools.lru_cache(maxsize=1)
def _request_validator() -> Any:
    """The Draft 7 validator of simulate-request.json (in jsonschema 4.17 and 4.26)."""
    import jsonschema

    return jsonschema.Draft7Validator(load_schema(REQUEST_SCHEMA))


_REASONS = {
    "additionalProperties": "unknown field (check the spelling)",
    "required": "required field is missing",
}


def _named_fields(error: Any) -> list[str]:
    """The field names an additionalProperties or required error is about."""
    instance = error.instance
    if not isinstance(instance, Mapping):
        return []
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        return sorted(str(key) for key in instance if key not in known)
    if error.validator == "required":
        return [str(key) for key in error.validator_value if key not in instance]
    return []


def field_path(path: Sequence[Any]) -> str:
    """`scps[0][1]`-style text for a JSON path; `(request)` for the top."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "(request)"


def build_evaluation_request(request: Mapping[str, Any]) -> EvaluationRequest:
    """An EvaluationRequest from a validated request dict, parsing every policy."""
    return EvaluationRequest(
        principal=request["principal"],
        action=request["action"],
        resource=request.get("resource", "*"),
        context=request.get("context") or {},
        resource_account=request.get("resource_account"),
        identity_policies=_policies(request, "identity_policies"),
        permissions_boundary=_optional_policy(request, "permissions_boundary"),
        session_policy=_optional_policy(request, "session_policy"),
        resource_policy=_optional_policy(request, "resource_policy"),
        vpc_endpoint_policies=_policies(request, "vpc_endpoint_policies"),
        scps=_levels(request, "scps"),
        rcps=_levels(request, "rcps"),
        principal_is_management_account=bool(
            request.get("principal_is_management_account", False)
        ),
        resource_in_management_account=bool(
            request.get("resource_in_management_account", False)
        ),
        s3_restrict_public_buckets=bool(
            request.get("s3_restrict_public_buckets", False)
        ),
    )


def parse_request_policy(item: Any, default_id: str) -> Policy:
    """A policy entry: a document, its text, or {"id", "document"}."""
    if isinstance(item, Mapping) and "document" in item:
        return parse_policy(item["document"], str(item.get("id") or default_id))
    return parse_policy(item, default_id)


def _policies(request: Mapping[str, Any], name: str) -> tuple[Policy, ...]:
    items = request.get(name) or []
    return tuple(
        parse_request_policy(item, f"{name}[{index}]")
        for index, item in enumerate(items)
    )


def _optional_policy(request: Mapping[str, Any], name: str) -> Policy | None:
    item = request.get(name)
    return None if item is None else parse_request_policy(item, name)


def _levels(request: Mapping[str, Any], name: str) -> PolicyLevels | None:
    levels = request.get(name)
    if levels is None:
        return None
    return tuple(
        tuple(
            parse_request_policy(item, f"{name}[{level}][{index}]")
            for index, item in enumerate(policies)
        )
        for level, policies in enumerate(levels)
    )
