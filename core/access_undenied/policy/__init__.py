"""IAM policy documents parsed into frozen objects, and the matchers they use."""

from __future__ import annotations

from access_undenied.policy.model import (
    Condition,
    Effect,
    Policy,
    PrincipalBlock,
    SetOperator,
    Statement,
)
from access_undenied.policy.parse import parse_policy

__all__ = [
    "Condition",
    "Effect",
    "Policy",
    "PrincipalBlock",
    "SetOperator",
    "Statement",
    "parse_policy",
]
