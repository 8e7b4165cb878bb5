"""The IAM policy evaluation engine: AWS's evaluation logic, offline."""

from __future__ import annotations

from access_undenied.engine.evaluate import Evaluator, evaluate
from access_undenied.engine.model import (
    ConditionMatch,
    ContextMap,
    Decision,
    EvaluationRequest,
    EvaluationResult,
    Layer,
    LayerResult,
    LayerVerdict,
    NearMiss,
    NearMissPart,
    StatementMatch,
)

__all__ = [
    "ConditionMatch",
    "ContextMap",
    "Decision",
    "EvaluationRequest",
    "EvaluationResult",
    "Evaluator",
    "Layer",
    "LayerResult",
    "LayerVerdict",
    "NearMiss",
    "NearMissPart",
    "StatementMatch",
    "evaluate",
]
