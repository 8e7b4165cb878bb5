"""From a rebuilt request to a `Finding`: evaluate, pick the reason, prove the fix.

The steps: assemble the evaluation request from the snapshot (naming what is
missing), evaluate it, choose the reason code and its responsible statements, then
propose fixes verified by re-evaluation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from access_undenied.analyze import explain
from access_undenied.analyze.assemble import Assembly
from access_undenied.analyze.reasons import REASON_BY_LAYER, ReasonCode
from access_undenied.analyze.remediate import Evaluate, Remedy, propose_fixes
from access_undenied.analyze.result import (
    AwsReport,
    Finding,
    RequestSummary,
    ResponsiblePolicy,
)
from access_undenied.cloudtrail.models import Request
from access_undenied.engine.model import (
    Decision,
    EvaluationRequest,
    EvaluationResult,
    Layer,
    LayerVerdict,
    PolicyLevels,
)
from access_undenied.policy import Policy, parse_policy
from access_undenied.snapshot.arns import bucket_arn

Fields = dict[str, str]


def short_sid(sid: str | None, index: int | None = None) -> str:
    """A statement's Sid for a sentence, or its position when it has none."""
    if sid:
        return sid
    return f"#{index}" if index is not None else "(no Sid)"


def base_fields(request: Request, summary: RequestSummary) -> Fields:
    """The sentence fields every reason can use."""
    return {
        "principal": request.principal.issuer_arn or summary.principal or "the caller",
        "action": summary.action or "the action",
        "resource": summary.resource or "the resource",
        "account": summary.resource_account or "unknown",
    }


def finding_for_result(
    request: Request,
    assembly: Assembly,
    result: EvaluationResult,
    summary: RequestSummary,
    evaluate: Evaluate,
    resource_known: bool,
) -> Finding:
    """The finding of an evaluated request."""
    report = explain.aws_report(request.message)
    fields = base_fields(request, summary)
    if result.decision is Decision.UNDETERMINED:
        return undetermined(result, summary, report, fields)
    hanging = keys_an_allow_needed(result)
    if hanging and result.decision is Decision.IMPLICITLY_DENIED:
        named = tuple(f"context key {key} (not in the record)" for key in hanging)
        return undetermined(
            dataclasses.replace(result, unsupported=named, missing_context_keys=()),
            summary,
            report,
            fields,
        )
    if result.decision is Decision.ALLOWED:
        return allowed(result, summary, report, fields)
    return denied(
        request, assembly, result, summary, report, fields, evaluate, resource_known
    )


def keys_an_allow_needed(result: EvaluationResult) -> tuple[str, ...]:
    """Missing context keys on which an Allow statement of a denying layer failed.

    With such a key the statement might have allowed: the record cannot tell
    (resource tags, request tags, service-specific keys), so the answer is unknown.
    """
    missing = {key.lower() for key in result.missing_context_keys}
    found: dict[str, str] = {}
    for item in result.layers:
        if item.layer not in result.denied_by:
            continue
        for miss in item.near_misses:
            key = miss.condition_key
            if miss.effect.value == "Allow" and key and key.lower() in missing:
                found.setdefault(key.lower(), key)
    return tuple(found.values())


def undetermined(
    result: EvaluationResult,
    summary: RequestSummary,
    report: AwsReport | None,
    fields: Fields,
) -> Finding:
    """The answer hangs on what the engine could not evaluate."""
    named = [*result.unsupported]
    named += [
        f"context key {key} (not in the record)" for key in result.missing_context_keys
    ]
    fields["unsupported"] = "; ".join(named) or "unknown"
    return Finding(
        code=ReasonCode.UNSUPPORTED,
        explanation=explain.sentence(ReasonCode.UNSUPPORTED, fields),
        request=summary,
        unsupported=tuple(named),
        aws_report=report,
        fix_not_proposed="the decision depends on what could not be evaluated",
    )


def allowed(
    result: EvaluationResult,
    summary: RequestSummary,
    report: AwsReport | None,
    fields: Fields,
) -> Finding:
    """The snapshot allows it: AWS's message may blame a layer the snapshot lacks."""
    blamed = explain.reported_layer(report)
    if blamed in explain.UNSEEN_LAYERS and report is not None:
        code = REASON_BY_LAYER[(blamed.value, bool(report.explicit))]
        return Finding(
            code=code,
            explanation=explain.sentence(code, fields),
            request=summary,
            denied_by=(blamed.value,),
            aws_report=report,
            agrees_with_aws=True,
            fix_not_proposed=f"the {blamed.value} policy is not in the snapshot",
        )
    return Finding(
        code=ReasonCode.NOT_REPRODUCED,
        explanation=explain.sentence(ReasonCode.NOT_REPRODUCED, fields),
        request=summary,
        aws_report=report,
        agrees_with_aws=False if report is not None else None,
        unsupported=unseen_layers(summary),
    )


def unseen_layers(summary: RequestSummary) -> tuple[str, ...]:
    """Layers not evaluated that could have denied a request the snapshot allows."""
    unseen = []
    if summary.principal and ":assumed-role/" in summary.principal:
        unseen.append("session policy (not recorded in CloudTrail)")
    if "aws:SourceVpce" in summary.context:
        unseen.append("VPC endpoint policy (not in the snapshot)")
    return tuple(unseen)


def denied(
    request: Request,
    assembly: Assembly,
    result: EvaluationResult,
    summary: RequestSummary,
    report: AwsReport | None,
    fields: Fields,
    evaluate: Evaluate,
    resource_known: bool,
) -> Finding:
    """An explicit or implicit deny: the layer, its statements, and the fix."""
    explicit = [
        layer
        for layer in explain.LAYER_ORDER
        if any(
            item.layer is layer and item.verdict is LayerVerdict.EXPLICIT_DENY
            for item in result.layers
        )
    ]
    implicit = [
        layer
        for layer in explain.LAYER_ORDER
        if layer in result.denied_by and layer not in explicit
    ]
    candidates = explicit or implicit
    layer = explain.choose_layer(candidates, report)
    cross = summary.resource_account not in (None, principal_account(summary))
    code = explain.reason_for(layer, bool(explicit), candidates, cross)

    responsible = responsible_policies(result, assembly, explicit, implicit, layer)
    remedy = propose_fixes(
        assembly, result, evaluate, resource_known, strip_denies(assembly)
    )
    fill_fields(fields, code, layer, responsible, remedy, result, assembly)
    return Finding(
        code=code,
        explanation=explain.sentence(code, fields),
        request=summary,
        denied_by=tuple(item.value for item in result.denied_by),
        responsible=responsible,
        policies_to_add=remedy.policies_to_add,
        fix_not_proposed=remedy.fix_not_proposed,
        aws_report=report,
        agrees_with_aws=explain.agrees_with_aws(
            report, result.decision, result.denied_by
        ),
        missing=assembly.missing,
        unsupported=result.unsupported,
    )


def principal_account(summary: RequestSummary) -> str | None:
    """The 12-digit account of the principal ARN."""
    if not summary.principal or not summary.principal.startswith("arn:"):
        return None
    parts = summary.principal.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def responsible_policies(
    result: EvaluationResult,
    assembly: Assembly,
    explicit: list[Layer],
    implicit: list[Layer],
    layer: Layer,
) -> tuple[ResponsiblePolicy, ...]:
    """Deny statements that matched; for a missing allow at a level, its policies."""
    if explicit:
        return explain.explicit_deny_policies(result, assembly, explicit)
    found: list[ResponsiblePolicy] = []
    for item in result.layers:
        at_level = item.layer in (Layer.SCP, Layer.RCP) and item.layer in implicit
        if at_level and item.verdict is LayerVerdict.IMPLICIT_DENY:
            found.extend(explain.level_policies(item, assembly))
    if layer is Layer.PERMISSIONS_BOUNDARY and assembly.principal is not None:
        boundary = assembly.principal.permissions_boundary
        if boundary is not None:
            found.append(
                ResponsiblePolicy(
                    boundary.arn,
                    boundary.name,
                    boundary.policy_type.value,
                    assembly.principal.arn,
                    None,
                )
            )
    return tuple(found)


def fill_fields(
    fields: Fields,
    code: ReasonCode,
    layer: Layer,
    responsible: tuple[ResponsiblePolicy, ...],
    remedy: Remedy,
    result: EvaluationResult,
    assembly: Assembly,
) -> None:
    """Add the policy, statement, condition, level and fix target to `fields`."""
    if responsible:
        first = responsible[0]
        fields["policy"] = f"{first.policy_name} ({first.policy_arn})"
        fields["sid"] = short_sid(first.sid)
        fields["condition"] = condition_text(first.matched_condition, result, layer)
        fields["level"] = level_name(first, assembly)
    fields["holder"] = resource_holder(assembly)
    targets = [fix.attachment_target_arn for fix in remedy.policies_to_add]
    fields["fix_target"] = " and ".join(dict.fromkeys(targets)) or (
        f"the user or role (no fix verified: {remedy.fix_not_proposed})"
    )


def resource_holder(assembly: Assembly) -> str:
    """What holds the resource policy: the bucket of an object, the role, the key."""
    if assembly.resource_policy is not None:
        return assembly.resource_policy.attachment_target_arn
    resource = assembly.evaluation.resource
    return bucket_arn(resource) or resource


def level_name(item: ResponsiblePolicy, assembly: Assembly) -> str:
    """The organization node a policy is attached to, by name and ARN."""
    for path in assembly.levels.values():
        for node in path:
            if node.arn == item.attachment_target_arn:
                return f"{node.name} ({node.arn})"
    return item.attachment_target_arn or "unknown"


def condition_text(
    block: Mapping[str, Any] | None, result: EvaluationResult, layer: Layer
) -> str:
    """` because <key> was <value> (<operator>)` for the matched deny statement."""
    if not block:
        return ""
    for item in result.layers:
        for match in item.matched:
            if item.layer is layer and match.conditions:
                return explain.condition_phrase(match.conditions)
    return ""


def strip_denies(
    assembly: Assembly,
) -> Callable[[EvaluationRequest, EvaluationResult], EvaluationRequest]:
    """A function that removes the matched deny statements from a request."""
    documents = policy_documents(assembly)

    def strip(
        request: EvaluationRequest, result: EvaluationResult
    ) -> EvaluationRequest:
        drops = {
            (m.policy_id, m.statement_index)
            for item in result.layers
            for m in item.matched
            if m.effect.value == "Deny"
        }
        return rebuild_without(request, drops, documents)

    return strip


def policy_documents(assembly: Assembly) -> dict[str, Mapping[str, Any]]:
    """Each policy's raw document by policy id, SCPs and RCPs included."""
    documents = {pid: record.document for pid, record in assembly.policies.items()}
    for path in assembly.levels.values():
        for node in path:
            for record in (*node.scps, *node.rcps):
                documents.setdefault(record.policy_id, record.document)
    return documents


def rebuild_without(
    request: EvaluationRequest,
    drops: set[tuple[str, int]],
    documents: Mapping[str, Mapping[str, Any]],
) -> EvaluationRequest:
    """The request with the given (policy id, statement index) statements removed."""

    def clean(policy: Policy) -> Policy:
        gone = {index for pid, index in drops if pid == policy.policy_id}
        document = documents.get(policy.policy_id)
        if not gone or document is None:
            return policy
        raw = document.get("Statement", [])
        statements = [raw] if isinstance(raw, Mapping) else list(raw)
        kept = [item for index, item in enumerate(statements) if index not in gone]
        stripped = {**document, "Statement": kept}
        return parse_policy(stripped, policy_id=policy.policy_id)

    def clean_one(policy: Policy | None) -> Policy | None:
        return clean(policy) if policy is not None else None

    def clean_levels(levels: PolicyLevels | None) -> PolicyLevels | None:
        if levels is None:
            return None
        return tuple(tuple(clean(p) for p in level) for level in levels)

    return dataclasses.replace(
        request,
        identity_policies=tuple(clean(p) for p in request.identity_policies),
        permissions_boundary=clean_one(request.permissions_boundary),
        session_policy=clean_one(request.session_policy),
        resource_policy=clean_one(request.resource_policy),
        scps=clean_levels(request.scps),
        rcps=clean_levels(request.rcps),
    )


__all__ = ["finding_for_result", "parse_policy"]


# Layers whose explicit deny stands whatever the caller's own policies say.
CALLER_INDEPENDENT = frozenset({"scp", "rcp", "resource", "vpc_endpoint"})


def check_missing(found: Finding, assembly: Assembly) -> Finding:
    """`insufficient_data` where data the answer may depend on is missing.

    An explicit deny in an SCP, an RCP or the resource policy decides whatever the
    missing identity data would say, so it stands (the missing data still listed).
    """
    if not assembly.missing:
        return found
    code = found.code.value
    if code.endswith("explicit_deny") and set(found.denied_by) & CALLER_INDEPENDENT:
        layer = code.replace("_explicit_deny", "").replace("_policy", "")
        if layer in CALLER_INDEPENDENT:
            return dataclasses.replace(found, missing=assembly.missing)
    return insufficient(found.request, assembly.missing)


def insufficient(summary: RequestSummary | None, missing: tuple[str, ...]) -> Finding:
    """A finding that names the data the snapshot lacks."""
    text = "; ".join(missing)
    return Finding(
        code=ReasonCode.INSUFFICIENT_DATA,
        explanation=explain.sentence(ReasonCode.INSUFFICIENT_DATA, {"missing": text}),
        request=summary,
        missing=missing,
        fix_not_proposed="the analysis lacks data: " + text,
    )
