"""EvaluationResult to the JSON-able dict of the `simulate` contract."""

from __future__ import annotations

from typing import Any

from access_undenied.engine.model import (
    ConditionMatch,
    EvaluationResult,
    LayerResult,
    NearMiss,
    StatementMatch,
)


def result_to_dict(result: EvaluationResult) -> dict[str, Any]:
    """The result as plain JSON types, in the shape of simulate-result.json."""
    return {
        "decision": result.decision.value,
        "denied_by": [layer.value for layer in result.denied_by],
        "layers": [layer_to_dict(layer) for layer in result.layers],
        "missing_context_keys": list(result.missing_context_keys),
        "unsupported": list(result.unsupported),
        "notes": list(result.notes),
    }


def layer_to_dict(layer: LayerResult) -> dict[str, Any]:
    """One layer result as a dict."""
    return {
        "layer": layer.layer.value,
        "level": layer.level,
        "verdict": layer.verdict.value,
        "policy_ids": list(layer.policy_ids),
        "matched_statements": [statement_to_dict(item) for item in layer.matched],
        "near_misses": [near_miss_to_dict(item) for item in layer.near_misses],
    }


def statement_to_dict(match: StatementMatch) -> dict[str, Any]:
    """One matched statement as a dict."""
    return {
        "policy_id": match.policy_id,
        "statement_index": match.statement_index,
        "sid": match.sid,
        "effect": match.effect.value,
        "conditions": [condition_to_dict(item) for item in match.conditions],
    }


def condition_to_dict(match: ConditionMatch) -> dict[str, Any]:
    """One matched condition as a dict."""
    return {
        "key": match.key,
        "operator": match.operator,
        "policy_values": list(match.policy_values),
        "request_values": list(match.request_values),
    }


def near_miss_to_dict(miss: NearMiss) -> dict[str, Any]:
    """One near miss as a dict."""
    return {
        "policy_id": miss.policy_id,
        "statement_index": miss.statement_index,
        "sid": miss.sid,
        "effect": miss.effect.value,
        "part": miss.part.value,
        "condition_key": miss.condition_key,
        "operator": miss.operator,
        "policy_values": list(miss.policy_values),
        "request_values": list(miss.request_values),
    }
