"""Parse IAM policy documents into frozen objects, compiling every pattern once.

A document is a dict, its JSON text, or the URL-encoded JSON text that the IAM API
returns. `Statement` is one statement or a list; `Action`, `Resource`, principal values
and condition values are one value or a list (normalised by `as_tuple`). Element names
are case-sensitive as AWS spells them. See IAM User Guide, "IAM JSON policy element
reference" and "Grammar of the IAM JSON policy language".
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

from access_undenied.errors import PolicyParseError
from access_undenied.policy.arn import compile_arn
from access_undenied.policy.conditions import parse_operator, prepare_values
from access_undenied.policy.model import (
    Condition,
    Effect,
    Policy,
    PrincipalBlock,
    ResourcePattern,
    Statement,
)
from access_undenied.policy.variables import parse_template
from access_undenied.policy.wildcard import compile_wildcard

logger = logging.getLogger(__name__)

_EFFECTS = {effect.value: effect for effect in Effect}
_PRINCIPAL_TYPES = {
    "AWS": "aws",
    "Service": "service",
    "Federated": "federated",
    "CanonicalUser": "canonical_user",
}
_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)


def parse_policy(document: Any, policy_id: str = "") -> Policy:
    """Parse a policy document; raises PolicyParseError naming policy and statement."""
    data = load_document(document, policy_id)
    raw_statements = data.get("Statement")
    if raw_statements is None:
        raise PolicyParseError("the document has no Statement element", policy_id)

    version = _optional_text(data.get("Version"), "Version", policy_id)
    statements = tuple(
        parse_statement(raw, index, version, policy_id)
        for index, raw in enumerate(as_tuple(raw_statements))
    )
    document_id = _optional_text(data.get("Id"), "Id", policy_id)
    return Policy(policy_id, version, statements, document_id)


def load_document(document: Any, policy_id: str = "") -> Mapping[str, Any]:
    """The document as a mapping, from a dict, JSON text or URL-encoded JSON text."""
    if isinstance(document, Mapping):
        return document
    if not isinstance(document, (str, bytes)):
        kind = type(document).__name__
        raise PolicyParseError(f"expected a JSON object or text, got {kind}", policy_id)

    try:
        text = document.decode() if isinstance(document, bytes) else document
    except UnicodeDecodeError as exc:
        raise PolicyParseError("the document is not UTF-8 text", policy_id) from exc
    text = text.strip()
    if text.startswith("%"):
        text = urllib.parse.unquote(text)
    return _json_object(text, policy_id)


def _json_object(text: str, policy_id: str) -> dict[str, Any]:
    """JSON text to a dict; every way json.loads can fail becomes PolicyParseError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyParseError(f"not valid JSON ({exc.msg})", policy_id) from exc
    except RecursionError as exc:
        raise PolicyParseError("the JSON text is nested too deeply", policy_id) from exc
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        raise PolicyParseError(f"not valid JSON ({exc})", policy_id) from exc
    if not isinstance(data, dict):
        raise PolicyParseError("the document is not a JSON object", policy_id)
    return data


def as_tuple(value: Any) -> tuple[Any, ...]:
    """IAM's "a value or a list" as a tuple."""
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def parse_statement(
    raw: Any, index: int, version: str | None, policy_id: str
) -> Statement:
    """Parse one statement; `index` is its 0-based position."""

    def fail(message: str) -> PolicyParseError:
        """The error for this statement of this policy."""
        return PolicyParseError(message, policy_id, index)

    if not isinstance(raw, Mapping):
        raise fail("a statement must be a JSON object")
    unknown = sorted(set(raw) - _STATEMENT_ELEMENTS)
    if unknown:
        raise fail(f"unknown element {unknown[0]!r} (element names are case-sensitive)")

    effect_text = raw.get("Effect")
    effect = _EFFECTS.get(effect_text) if isinstance(effect_text, str) else None
    if effect is None:
        raise fail(f"Effect must be 'Allow' or 'Deny', got {raw.get('Effect')!r}")

    actions, not_action = _pair(raw, "Action", "NotAction", fail, required=True)
    resources, not_resource = _pair(raw, "Resource", "NotResource", fail)
    principal, not_principal = _principal(raw, fail)
    return Statement(
        index=index,
        sid=_sid(raw.get("Sid"), fail),
        effect=effect,
        actions=actions or (),
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principal=principal,
        not_principal=not_principal,
        conditions=_conditions(raw.get("Condition"), version, fail),
        action_patterns=tuple(compile_wildcard(a.lower(), True) for a in actions or ()),
        resource_patterns=_resource_patterns(resources, version),
    )


def _sid(value: Any, fail: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail("Sid must be a string")
    return value


def _pair(
    raw: Mapping[str, Any], name: str, negated: str, fail: Any, required: bool = False
) -> tuple[tuple[str, ...] | None, bool]:
    """The values of `name` or of its negated form, and which one was present."""
    if name in raw and negated in raw:
        raise fail(f"a statement cannot have both {name} and {negated}")
    if name not in raw and negated not in raw:
        if required:
            raise fail(f"a statement needs {name} or {negated}")
        return None, False

    key = name if name in raw else negated
    values = as_tuple(raw[key])
    if not values or not all(isinstance(value, str) and value for value in values):
        raise fail(f"{key} must be a non-empty string or a list of them")
    return values, key == negated


def _principal(raw: Mapping[str, Any], fail: Any) -> tuple[PrincipalBlock | None, bool]:
    if "Principal" in raw and "NotPrincipal" in raw:
        raise fail("a statement cannot have both Principal and NotPrincipal")
    key = "NotPrincipal" if "NotPrincipal" in raw else "Principal"
    if key not in raw:
        return None, False
    return parse_principal_block(raw[key], key, fail), key == "NotPrincipal"


def parse_principal_block(value: Any, element: str, fail: Any) -> PrincipalBlock:
    """`"*"` or an object of principal types to a value or a list."""
    if value == "*":
        return PrincipalBlock(wildcard=True)
    if not isinstance(value, Mapping) or not value:
        raise fail(f"{element} must be '*' or an object such as {{'AWS': ...}}")

    groups: dict[str, tuple[str, ...]] = {}
    for type_name, entries in value.items():
        field_name = _PRINCIPAL_TYPES.get(type_name)
        if field_name is None:
            raise fail(f"unknown {element} type {type_name!r}")
        texts = as_tuple(entries)
        if not all(isinstance(text, str) and text for text in texts):
            raise fail(f"{element} {type_name} values must be non-empty strings")
        groups[field_name] = texts
    wildcard = "*" in groups.get("aws", ())
    return PrincipalBlock(wildcard=wildcard, **groups)


def _conditions(raw: Any, version: str | None, fail: Any) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise fail("Condition must be an object of operators")

    conditions: list[Condition] = []
    for operator_text, block in raw.items():
        if not isinstance(operator_text, str):
            raise fail(f"condition operator {operator_text!r} is not text")
        if not isinstance(block, Mapping):
            raise fail(f"condition operator {operator_text} must map keys to values")
        for key, values in block.items():
            if not isinstance(key, str):
                raise fail(f"condition key {key!r} under {operator_text} is not text")
            texts = tuple(
                _condition_text(value, key, fail) for value in as_tuple(values)
            )
            conditions.append(build_condition(operator_text, key, texts, version))
    return tuple(conditions)


def _condition_text(value: Any, key: str, fail: Any) -> str:
    """A condition value as IAM reads it: JSON booleans become `true`/`false`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            return str(value)
        except ValueError as exc:  # an integer beyond Python's digit limit
            raise fail(f"condition key {key} has a number too long to read") from exc
    raise fail(f"condition key {key} has a value that is not a string")


def build_condition(
    operator_text: str, key: str, values: tuple[str, ...], version: str | None
) -> Condition:
    """A Condition with its operator parsed and its values prepared."""
    spec, base, set_operator, if_exists = parse_operator(operator_text)
    templates = tuple(parse_template(value, version) for value in values)
    prepared: object = None
    invalid: str | None = None
    if spec is not None and not any(templates):
        try:
            prepared = prepare_values(spec, tuple(((v, False),) for v in values))
        except (ValueError, OverflowError):
            invalid = f"a value of {key} is not valid for {base}: {list(values)}"
    return Condition(
        operator_text, base, set_operator, if_exists, key, values,
        spec, templates, prepared, invalid,
    )  # fmt: skip


def _resource_patterns(
    resources: tuple[str, ...] | None, version: str | None
) -> tuple[ResourcePattern, ...]:
    patterns: list[ResourcePattern] = []
    for resource in resources or ():
        template = parse_template(resource, version)
        patterns.append(template if template is not None else compile_arn(resource))
    return tuple(patterns)


def _optional_text(value: Any, element: str, policy_id: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise PolicyParseError(f"{element} must be a string", policy_id)
