"""Turn the engine's result into a reason code, responsible policies and a sentence.

When several layers deny, AWS's own message names one; where it names a layer that
also denies here, that layer is the reason, so the answer reads like AWS's. Else an
explicit deny wins over a missing allow, and layers go in `LAYER_ORDER`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from access_undenied.analyze.assemble import Assembly
from access_undenied.analyze.reasons import (
    REASON_BY_LAYER,
    ReasonCode,
    render_explanation,
)
from access_undenied.analyze.result import AwsReport, ResponsiblePolicy
from access_undenied.cloudtrail.messages import DenialMessage
from access_undenied.engine.model import (
    ConditionMatch,
    Decision,
    EvaluationResult,
    Layer,
    LayerResult,
    LayerVerdict,
    StatementMatch,
)
from access_undenied.snapshot import PolicyRecord

LAYER_ORDER: tuple[Layer, ...] = (
    Layer.SCP,
    Layer.RCP,
    Layer.VPC_ENDPOINT,
    Layer.IDENTITY,
    Layer.RESOURCE,
    Layer.PERMISSIONS_BOUNDARY,
    Layer.SESSION,
)

# The message's layer names -> engine layers (a trust policy is a resource policy).
MESSAGE_LAYERS: Mapping[str, Layer] = {
    "identity": Layer.IDENTITY,
    "resource": Layer.RESOURCE,
    "role_trust": Layer.RESOURCE,
    "permissions_boundary": Layer.PERMISSIONS_BOUNDARY,
    "session": Layer.SESSION,
    "scp": Layer.SCP,
    "rcp": Layer.RCP,
    "vpc_endpoint": Layer.VPC_ENDPOINT,
}

# Layers the snapshot never holds; only AWS's message can blame them.
UNSEEN_LAYERS = frozenset({Layer.SESSION, Layer.VPC_ENDPOINT})

SCP_LIKE = frozenset({Layer.SCP, Layer.RCP})


def aws_report(message: DenialMessage) -> AwsReport | None:
    """What the denial message says, or None when it says nothing about why."""
    if message.layer is None and message.explicit is None:
        return None
    layer = MESSAGE_LAYERS[message.layer.value] if message.layer else None
    return AwsReport(
        layer=layer.value if layer else None,
        explicit=message.explicit,
        policy_arn=message.policy_arn,
    )


def reported_layer(report: AwsReport | None) -> Layer | None:
    """The engine layer AWS blamed."""
    if report is None or report.layer is None:
        return None
    return Layer(report.layer)


def choose_layer(candidates: Sequence[Layer], report: AwsReport | None) -> Layer:
    """AWS's layer where it is among the candidates, else the first in order."""
    blamed = reported_layer(report)
    if blamed in candidates:
        return blamed  # type: ignore[return-value]
    return candidates[0]


def reason_for(
    layer: Layer, explicit: bool, candidates: Sequence[Layer], cross_account: bool
) -> ReasonCode:
    """The reason code of a denying layer."""
    both = {Layer.IDENTITY, Layer.RESOURCE} <= set(candidates)
    if (
        not explicit
        and cross_account
        and both
        and layer in (Layer.IDENTITY, Layer.RESOURCE)
    ):
        return ReasonCode.IDENTITY_AND_RESOURCE_POLICY_MISSING_ALLOW
    return REASON_BY_LAYER[(layer.value, explicit)]


def agrees_with_aws(
    report: AwsReport | None, decision: Decision, layers: Sequence[Layer]
) -> bool | None:
    """Whether the engine's answer matches AWS's message; None when AWS said nothing.

    AWS words an SCP's missing allow as "explicit deny in a service control policy",
    so for SCPs (and RCPs) the explicit flag is not compared.
    """
    if report is None:
        return None
    denied = decision in (Decision.EXPLICITLY_DENIED, Decision.IMPLICITLY_DENIED)
    blamed = reported_layer(report)
    if blamed is None:
        return denied and (
            report.explicit is None
            or report.explicit == (decision is Decision.EXPLICITLY_DENIED)
        )
    if blamed not in layers:
        return False
    if blamed in SCP_LIKE or report.explicit is None:
        return True
    return report.explicit == (decision is Decision.EXPLICITLY_DENIED)


def explicit_deny_policies(
    result: EvaluationResult, assembly: Assembly, layers: Sequence[Layer]
) -> tuple[ResponsiblePolicy, ...]:
    """The deny statements that matched, in the given layers."""
    found: list[ResponsiblePolicy] = []
    for layer_result in result.layers:
        if layer_result.layer not in layers:
            continue
        if layer_result.verdict is not LayerVerdict.EXPLICIT_DENY:
            continue
        for match in layer_result.matched:
            if match.effect.value == "Deny":
                found.append(responsible(match, layer_result, assembly))
    return tuple(found)


def responsible(
    match: StatementMatch, layer_result: LayerResult, assembly: Assembly
) -> ResponsiblePolicy:
    """One matched statement as written in its document, with its condition."""
    record = policy_record(match.policy_id, layer_result, assembly)
    statement = raw_statement(record, match.statement_index)
    return ResponsiblePolicy(
        policy_arn=record.arn if record else match.policy_id,
        policy_name=record.name if record else None,
        policy_type=record.policy_type.value if record else layer_result.layer.value,
        attachment_target_arn=record.attachment_target_arn if record else None,
        sid=match.sid,
        statement=statement,
        matched_condition=matched_condition(match.conditions),
    )


def level_policies(
    layer_result: LayerResult, assembly: Assembly
) -> tuple[ResponsiblePolicy, ...]:
    """The SCPs or RCPs attached at one level, none of which allows the request."""
    node = level_node(layer_result, assembly)
    if node is None:
        return ()
    records = node.scps if layer_result.layer is Layer.SCP else node.rcps
    return tuple(
        ResponsiblePolicy(
            policy_arn=record.arn,
            policy_name=record.name,
            policy_type=record.policy_type.value,
            attachment_target_arn=node.arn,
            sid=None,
        )
        for record in records
    )


def level_node(layer_result: LayerResult, assembly: Assembly) -> Any:
    """The organization node of an SCP or RCP level result."""
    path = assembly.levels.get(layer_result.layer.value, ())
    level = layer_result.level
    if level is None or not 0 <= level < len(path):
        return None
    return path[level]


def policy_record(
    policy_id: str, layer_result: LayerResult, assembly: Assembly
) -> PolicyRecord | None:
    """The snapshot record of a policy; SCPs and RCPs are found at their level."""
    node = level_node(layer_result, assembly)
    if node is not None:
        records = node.scps if layer_result.layer is Layer.SCP else node.rcps
        for record in records:
            if record.policy_id == policy_id:
                return record  # type: ignore[no-any-return]
    return assembly.policies.get(policy_id)


def raw_statement(record: PolicyRecord | None, index: int) -> Mapping[str, Any] | None:
    """The statement at `index` as written in the record's document."""
    if record is None:
        return None
    statements = record.document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not 0 <= index < len(statements):
        return None
    found = statements[index]
    return found if isinstance(found, Mapping) else None


def matched_condition(conditions: Sequence[ConditionMatch]) -> dict[str, Any] | None:
    """The conditions that made a statement match, in IAM's syntax."""
    if not conditions:
        return None
    block: dict[str, dict[str, list[str]]] = {}
    for item in conditions:
        block.setdefault(item.operator, {})[item.key] = list(item.policy_values)
    return block


def condition_phrase(conditions: Sequence[ConditionMatch]) -> str:
    """` because <key> was <value>` for the conditions of a matched statement."""
    parts = []
    for item in conditions:
        value = ", ".join(item.request_values) if item.request_values else "absent"
        parts.append(f"{item.key} was {value} ({item.operator})")
    return f" because {' and '.join(parts)}" if parts else ""


def sentence(code: ReasonCode, fields: Mapping[str, str]) -> str:
    """The explanation sentence of a result."""
    return render_explanation(code, fields)
