"""The per-row work behind the SQL functions, bound to one loaded snapshot.

Each method takes the row's text (or None for SQL NULL) and returns JSON text. A
row that cannot be explained gives a result whose `error` says why; nothing a row
holds can make the method raise, so one bad row never fails a query.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from access_undenied.analyze import Analyzer, explain_text

from access_undenied_duckdb.fields import encode_flat_row, error_row
from access_undenied_duckdb.flat_cache import FlatEncoder

logger = logging.getLogger(__name__)

# What the core's `simulate` looks like to this module.
SimulateFunction = Callable[[dict[str, Any]], Mapping[str, Any]]


class RowFunctions:
    """`explain_denial`, `explain_denial_json` and `simulate_request`, per row."""

    def __init__(self, analyzer: Analyzer, simulate: SimulateFunction) -> None:
        self._analyzer = analyzer
        self._simulate = simulate
        self._encoder = FlatEncoder()

    def result_of(self, text: str) -> tuple[Any, Mapping[str, Any], str]:
        """The record a text holds, its full result, and the result's JSON text.

        The same result as the core's `explain_text`; a record that parses also
        gets the JSON line the analyzer splices from its cache.
        """
        try:
            record = json.loads(text)
        except ValueError:
            parsed = explain_text(self._analyzer, text)
            return None, parsed, json.dumps(parsed)
        result, line = self._analyzer.explain(record, None, None)
        return record, result, line

    def explain_flat(self, text: str | None) -> str | None:
        """The flat fields of one record's explanation, as a JSON object."""
        if text is None:
            return None
        try:
            return self._encoder.encode(*self.result_of(text))
        except Exception as exc:  # a bug must cost one row, not the query
            logger.exception("explaining a record failed")
            message = f"internal error: {type(exc).__name__}: {exc}"
            return encode_flat_row(error_row(message))

    def explain_parsed(self, record: Mapping[str, Any]) -> str:
        """The flat fields of a parsed record's explanation, as a JSON object."""
        try:
            result, line = self._analyzer.explain(record, None, None)
            return self._encoder.encode(record, result, line)
        except Exception as exc:  # a bug must cost one row, not the query
            logger.exception("explaining a record failed")
            message = f"internal error: {type(exc).__name__}: {exc}"
            return encode_flat_row(error_row(message))

    def explain_full(self, text: str | None) -> str | None:
        """One record's full result, as the CLI writes it, as JSON text."""
        if text is None:
            return None
        try:
            return self.result_of(text)[2]
        except Exception as exc:  # a bug must cost one row, not the query
            logger.exception("explaining a record failed")
            return json.dumps(internal_error_result(exc))

    def simulate(self, text: str | None) -> str | None:
        """The engine's `simulate` answer for one request, as JSON text."""
        if text is None:
            return None
        try:
            request = json.loads(text)
        except ValueError as exc:
            return json.dumps({"error": f"the request is not JSON: {exc}"})
        if not isinstance(request, dict):
            return json.dumps({"error": "the request must be a JSON object"})
        try:
            return json.dumps(self._simulate(request), default=str)
        except ValueError as exc:  # InputError and RequestSchemaError are ValueErrors
            return json.dumps({"error": str(exc)})
        except Exception as exc:  # a bug must cost one row, not the query
            logger.exception("simulating a request failed")
            message = f"internal error: {type(exc).__name__}: {exc}"
            return json.dumps({"error": message})


def internal_error_result(exc: BaseException) -> dict[str, Any]:
    """The minimal full result for a record whose analysis raised."""
    message = f"internal error: {type(exc).__name__}: {exc}"
    return {"ReasonCode": "error", "Explanation": message, "Error": message}
