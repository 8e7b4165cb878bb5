"""The flat fields the DuckDB and Splunk adapters expose for one result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# Ordered: adapters declare their columns in this order.
FLAT_FIELDS: tuple[str, ...] = (
    "event_id",
    "reason_code",
    "assessment_result",
    "explanation",
    "principal",
    "action",
    "resource",
    "denied_by",
    "policy_arn",
    "statement_sid",
    "fix_target",
    "fix_policy",
    "unsupported",
    "error",
)

# Fields that hold a list of strings; every other field is a string or None.
LIST_FIELDS = frozenset({"denied_by", "unsupported"})


def flatten_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """The flat fields of one result object; every field of FLAT_FIELDS is set."""
    request = result.get("Request") or {}
    responsible = result.get("ResponsiblePolicies") or []
    first = responsible[0] if responsible else {}
    fix_target, fix_policy = first_fix(result.get("ResultDetails") or {})
    return {
        "event_id": result.get("EventId"),
        "reason_code": result.get("ReasonCode"),
        "assessment_result": result.get("AssessmentResult"),
        "explanation": result.get("Explanation"),
        "principal": request.get("Principal"),
        "action": request.get("Action"),
        "resource": request.get("Resource"),
        "denied_by": list(result.get("DeniedBy") or []),
        "policy_arn": first.get("PolicyArn"),
        "statement_sid": first.get("Sid"),
        "fix_target": fix_target,
        "fix_policy": fix_policy,
        "unsupported": list(result.get("Unsupported") or []),
        "error": result.get("Error"),
    }


def first_fix(details: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The target and policy (JSON text) of the first fix, or of every fix merged.

    A cross-account fix has two parts (identity and resource policy); the policy
    column then holds a JSON list of `{AttachmentTargetArn, Policy}` objects and the
    target column the targets joined by a comma.
    """
    fixes = details.get("PoliciesToAdd") or []
    if not fixes:
        return None, None
    if len(fixes) == 1:
        return fixes[0]["AttachmentTargetArn"], json.dumps(fixes[0]["Policy"])
    targets = ",".join(fix["AttachmentTargetArn"] for fix in fixes)
    parts = [
        {"AttachmentTargetArn": f["AttachmentTargetArn"], "Policy": f["Policy"]}
        for f in fixes
    ]
    return targets, json.dumps(parts)
