"""Least-privilege fixes, each proven by evaluating the request with it applied.

A fix names the exact action and the exact resource ARN (`*` only for actions that
have no resource types), is attached to the role (never the session) or the user,
and never edits an AWS-managed policy. A fix that would not make the request pass is
not proposed; the result then says why (`FixNotProposed`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from access_undenied.analyze.assemble import Assembly
from access_undenied.analyze.result import PolicyToAdd
from access_undenied.engine.model import (
    Decision,
    EvaluationRequest,
    EvaluationResult,
    Layer,
    LayerVerdict,
)
from access_undenied.engine.scope import TRUST_POLICY_ACTIONS
from access_undenied.policy import Policy, parse_policy
from access_undenied.snapshot import PolicyRecord
from access_undenied.snapshot.arns import bucket_arn

Evaluate = Callable[[EvaluationRequest], EvaluationResult]
Statement = dict[str, Any]

MAX_ROUNDS = 4
FIX_POLICY_ID = "proposed-fix"


class NoFix(Exception):
    """A fix cannot be proposed; the message says why, for `FixNotProposed`."""


@dataclasses.dataclass(frozen=True)
class Remedy:
    """The verified fixes, or why there are none."""

    policies_to_add: tuple[PolicyToAdd, ...] = ()
    fix_not_proposed: str = ""


def propose_fixes(
    assembly: Assembly,
    result: EvaluationResult,
    evaluate: Evaluate,
    resource_known: bool,
    strip_denies: Callable[[EvaluationRequest, EvaluationResult], EvaluationRequest],
) -> Remedy:
    """Fixes that make the request pass, checked by re-evaluation."""
    request = assembly.evaluation
    fixes: list[PolicyToAdd] = []
    for _ in range(MAX_ROUNDS):
        if result.decision is Decision.ALLOWED:
            return Remedy(tuple(fixes))
        if result.decision is Decision.UNDETERMINED:
            return Remedy(fix_not_proposed=undetermined_reason(result))
        if result.decision is Decision.EXPLICITLY_DENIED:
            request = strip_denies(request, result)
        else:
            try:
                request = apply_round(request, result, assembly, resource_known, fixes)
            except NoFix as exc:
                return Remedy(fix_not_proposed=str(exc))
        result = evaluate(request)
    return Remedy(fix_not_proposed=still_denied(result))


def undetermined_reason(result: EvaluationResult) -> str:
    """Why no fix is proposed when the engine could not decide."""
    named = [*result.unsupported, *result.missing_context_keys]
    return "the decision depends on what could not be evaluated: " + ", ".join(named)


def still_denied(result: EvaluationResult) -> str:
    """Why no fix is proposed when the fixes tried did not make it pass."""
    layers = ", ".join(layer.value for layer in result.denied_by) or "unknown"
    return f"with the fixes applied the request is still denied by: {layers}"


def apply_round(
    request: EvaluationRequest,
    result: EvaluationResult,
    assembly: Assembly,
    resource_known: bool,
    fixes: list[PolicyToAdd],
) -> EvaluationRequest:
    """Add one fix per layer that lacks an allow; the fixes go into `fixes`."""
    if not resource_known:
        raise NoFix("the resource is unknown, and a fix for any resource is too broad")
    for layer_result in result.layers:
        if layer_result.verdict is not LayerVerdict.IMPLICIT_DENY:
            continue
        if layer_result.layer not in result.denied_by:
            continue
        fixer = FIXERS.get(layer_result.layer)
        if fixer is None:
            raise NoFix(f"the {layer_result.layer.value} policy is not in the snapshot")
        request, fix = fixer(request, assembly, layer_result.level)
        fixes.append(fix)
    return request


def allow_statement(
    request: EvaluationRequest, principal: str | None = None, resource: bool = True
) -> Statement:
    """An Allow statement for exactly the request's action and resource."""
    statement: Statement = {"Effect": "Allow"}
    if principal is not None:
        statement["Principal"] = {"AWS": principal} if principal != "*" else "*"
    statement["Action"] = request.action
    if resource:
        statement["Resource"] = request.resource
    return statement


def fix_policy(statements: Sequence[Statement]) -> Policy:
    """The parsed form of proposed statements, for evaluating the fix."""
    return merged_policy(None, statements[0], statements[1:])


def merged_policy(
    record: PolicyRecord | None,
    statement: Statement,
    more: Sequence[Statement] = (),
) -> Policy:
    """A policy record's document with the proposed statements added, parsed.

    The request is evaluated with the fix in place. A statement naming the exact
    resource ARN matches this request exactly when the same statement with
    `"Resource": "*"` does (the ARN holds no wildcard or variable), so the fix is
    evaluated in that form, which repeats across requests and is parsed once.
    """
    added = tuple(
        json.dumps(for_evaluation(item), sort_keys=True) for item in (statement, *more)
    )
    if record is None:
        return parse_added(None, FIX_POLICY_ID, added)
    return parse_added(DocumentKey(record.document), record.policy_id, added)


def for_evaluation(statement: Statement) -> Statement:
    """The statement with an exact, literal resource ARN widened to `*`."""
    resource = statement.get("Resource")
    if isinstance(resource, str) and not LITERAL_UNSAFE & set(resource):
        return {**statement, "Resource": "*"}
    return statement


LITERAL_UNSAFE = frozenset("*?$")


class DocumentKey:
    """A policy document as a cache key: by identity, kept alive by the key."""

    __slots__ = ("document",)

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentKey) and other.document is self.document


@lru_cache(maxsize=8192)
def parse_added(
    document: DocumentKey | None, policy_id: str, added: tuple[str, ...]
) -> Policy:
    """Parse a document (or none) with the statements `added` (JSON texts) appended."""
    existing: list[Any] = []
    if document is not None:
        raw = document.document.get("Statement", [])
        existing = [raw] if isinstance(raw, Mapping) else list(raw)
    statements = [*existing, *(json.loads(text) for text in added)]
    merged = {"Version": "2012-10-17", "Statement": statements}
    return parse_policy(merged, policy_id=policy_id)


def caller_arn(assembly: Assembly) -> str:
    """The principal a fix names: the role of a session, or the user."""
    if assembly.principal is not None:
        return assembly.principal.arn
    raise NoFix("the principal is not in the snapshot, so its ARN is not known")


def fix_identity(
    request: EvaluationRequest, assembly: Assembly, level: int | None
) -> tuple[EvaluationRequest, PolicyToAdd]:
    """A customer-managed or inline policy for the user or role."""
    target = caller_arn(assembly)
    statement = allow_statement(request)
    fixed = request.replaced(
        identity_policies=(*request.identity_policies, fix_policy([statement])),
    )
    return fixed, PolicyToAdd(target, (statement,), "identity")


def fix_resource(
    request: EvaluationRequest, assembly: Assembly, level: int | None
) -> tuple[EvaluationRequest, PolicyToAdd]:
    """A statement for the resource policy (bucket, key, queue, trust policy)."""
    principal = caller_arn(assembly)
    trust = request.action.lower() in TRUST_POLICY_ACTIONS
    statement = allow_statement(request, principal=principal, resource=not trust)
    target = resource_policy_target(request.resource, assembly.resource_policy)
    fixed = request.replaced(
        resource_policy=merged_policy(assembly.resource_policy, statement)
    )
    kind = "trust_policy" if trust else "resource_policy"
    return fixed, PolicyToAdd(target, (statement,), kind, "add this statement")


def resource_policy_target(resource: str, record: PolicyRecord | None) -> str:
    """The ARN of what holds the resource policy: the bucket for an object."""
    if record is not None:
        return record.attachment_target_arn
    return bucket_arn(resource) or resource


def fix_boundary(
    request: EvaluationRequest, assembly: Assembly, level: int | None
) -> tuple[EvaluationRequest, PolicyToAdd]:
    """A statement for the permissions boundary; never an AWS-managed one to edit."""
    record = assembly.principal.permissions_boundary if assembly.principal else None
    if record is None:
        raise NoFix("the permissions boundary is not in the snapshot")
    statement = allow_statement(request)
    fixed = request.replaced(permissions_boundary=merged_policy(record, statement))
    if record.aws_managed:
        note = (
            f"{record.arn} is AWS-managed: set as boundary a customer-managed copy of "
            "it with this statement added"
        )
        return fixed, PolicyToAdd(
            caller_arn(assembly), (statement,), "permissions_boundary", note
        )
    return fixed, PolicyToAdd(
        record.arn, (statement,), "permissions_boundary", "add this statement"
    )


def fix_org_level(
    layer: Layer,
) -> Callable[
    [EvaluationRequest, Assembly, int | None], tuple[EvaluationRequest, PolicyToAdd]
]:
    """A fixer that attaches an SCP or RCP at the level that lacks an allow."""

    def fixer(
        request: EvaluationRequest, assembly: Assembly, level: int | None
    ) -> tuple[EvaluationRequest, PolicyToAdd]:
        path = assembly.levels.get(layer.value, ())
        if level is None or not 0 <= level < len(path):
            raise NoFix(
                f"the {layer.value.upper()} level that lacks an allow is unknown"
            )
        principal = "*" if layer is Layer.RCP else None
        statement = allow_statement(request, principal=principal)
        fixed = with_level_policy(request, layer, level, fix_policy([statement]))
        note = f"attach as a new {layer.value.upper()} to {path[level].name}"
        return fixed, PolicyToAdd(path[level].arn, (statement,), layer.value, note)

    return fixer


def with_level_policy(
    request: EvaluationRequest, layer: Layer, level: int, policy: Policy
) -> EvaluationRequest:
    """The request with one more SCP (or RCP) at one level."""
    levels = (request.scps if layer is Layer.SCP else request.rcps) or ()
    changed = tuple(
        (*policies, policy) if index == level else policies
        for index, policies in enumerate(levels)
    )
    if layer is Layer.SCP:
        return request.replaced(scps=changed)
    return request.replaced(rcps=changed)


FIXERS: Mapping[
    Layer,
    Callable[
        [EvaluationRequest, Assembly, int | None], tuple[EvaluationRequest, PolicyToAdd]
    ],
] = {
    Layer.IDENTITY: fix_identity,
    Layer.RESOURCE: fix_resource,
    Layer.PERMISSIONS_BOUNDARY: fix_boundary,
    Layer.SCP: fix_org_level(Layer.SCP),
    Layer.RCP: fix_org_level(Layer.RCP),
}
