"""Explain denials: a CloudTrail record in, a result object with the fix out."""

from __future__ import annotations

import json
from typing import Any

from access_undenied.analyze.analyzer import Analyzer, error_body
from access_undenied.analyze.fields import FLAT_FIELDS, flatten_result
from access_undenied.analyze.reasons import ReasonCode

__all__ = ["FLAT_FIELDS", "Analyzer", "ReasonCode", "explain_text", "flatten_result"]


def explain_text(analyzer: Analyzer, text: str | bytes) -> dict[str, Any]:
    """The result for a record given as JSON text; text that is not JSON is `error`.

    `RecursionError` is bad input too: text nested deeper than the parser can go.
    """
    try:
        record = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        body = error_body(f"the record is not JSON: {reason}")
        return {
            "EventId": None,
            "EventTime": None,
            **body,
            **analyzer.snapshot_fields(),
        }
    return analyzer.explain_record(record)
