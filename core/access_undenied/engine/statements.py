"""Matching one statement against a request, three-valued, and its near misses.

A statement applies when its action, resource, principal and every condition match
(IAM User Guide, "Policy evaluation logic"). Action, resource and principal are always
decidable; a condition may be unknown (an operator the engine does not know), and then
the statement is unknown unless another part already failed (Kleene AND).
"""

from __future__ import annotations

import enum
import functools
from typing import NamedTuple

from access_undenied.engine.model import ConditionMatch, NearMiss, NearMissPart
from access_undenied.engine.scope import RequestScope, ResourceKind
from access_undenied.policy.arn import ArnPattern, compile_arn_tokens
from access_undenied.policy.conditions import ConditionOutcome, evaluate_condition
from access_undenied.policy.model import Condition, Policy, Statement
from access_undenied.policy.principal import GrantKind, match_principal
from access_undenied.policy.variables import Template
from access_undenied.policy.wildcard import Token


class PrincipalMode(enum.Enum):
    """How a layer treats the `Principal` element."""

    FORBIDDEN = "forbidden"  # identity policies, boundaries, session policies, SCPs
    REQUIRED = "required"  # resource policies and trust policies
    OPTIONAL = "optional"  # RCPs and VPC endpoint policies


class StatementOutcome(NamedTuple):
    """One statement judged: matched (True/False/None), how, and the evidence."""

    result: bool | None
    grant: GrantKind
    conditions: tuple[ConditionMatch, ...] = ()
    missing_keys: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()


NO_MATCH = StatementOutcome(False, GrantKind.NONE)
_PLAIN_MATCHES = {grant: StatementOutcome(True, grant) for grant in GrantKind}


def match_statement(
    statement: Statement, policy: Policy, scope: RequestScope, mode: PrincipalMode
) -> StatementOutcome:
    """Judge a statement: action, resource, principal, then the conditions."""
    if not match_action(statement, scope.action):
        return NO_MATCH
    return match_statement_for_action(statement, policy, scope, mode)


def match_statement_for_action(
    statement: Statement, policy: Policy, scope: RequestScope, mode: PrincipalMode
) -> StatementOutcome:
    """Judge a statement already known to match the action."""
    if not statement.any_resource and not match_resource(statement, scope):
        return _failed(statement, scope, ())
    if mode is PrincipalMode.FORBIDDEN and statement.principal is None:
        grant, principal_issue = GrantKind.ANY, None
    else:
        grant, principal_issue = judge_principal(statement, scope, mode)
    if grant is GrantKind.NONE and principal_issue is None:
        return NO_MATCH
    if not statement.conditions and principal_issue is None:
        return _PLAIN_MATCHES[grant]

    outcomes = [evaluate_condition(c, scope.context, scope.lookup)
                for c in statement.conditions]  # fmt: skip
    missing = tuple(
        c.key for c, o in zip(statement.conditions, outcomes) if o.key_missing
    )
    if any(outcome.result is False for outcome in outcomes):
        return _failed(statement, scope, missing)

    unsupported = _unsupported(statement, policy, outcomes, principal_issue)
    if unsupported:
        return StatementOutcome(None, grant, (), missing, unsupported)
    matches = tuple(
        ConditionMatch(c.key, c.operator, c.values, o.request_values)
        for c, o in zip(statement.conditions, outcomes)
    )
    return StatementOutcome(True, grant, matches, missing)


def _failed(
    statement: Statement, scope: RequestScope, missing: tuple[str, ...]
) -> StatementOutcome:
    """A failed statement; policy variables it could not resolve count as missing."""
    if not statement.variable_keys and not missing:
        return NO_MATCH
    unresolved = tuple(
        key for key in statement.variable_keys if key.lower() not in scope.context
    )
    return StatementOutcome(False, GrantKind.NONE, (), missing + unresolved)


def match_action(statement: Statement, action: str) -> bool:
    """`Action` / `NotAction` against the lowercased action."""
    return statement.matches_action(action)


def match_resource(statement: Statement, scope: RequestScope) -> bool:
    """`Resource` / `NotResource`; a statement without either matches any resource."""
    if statement.resources is None:
        return True
    found = False
    for pattern in statement.resource_patterns:
        if isinstance(pattern, Template):
            compiled = _resolve_resource(pattern, scope)
            found = compiled is not None and compiled.matches(scope.resource)
        else:
            found = pattern.matches_parts(scope.resource, scope.resource_parts)
        if found:
            break
    return found is not statement.not_resource


def _resolve_resource(template: Template, scope: RequestScope) -> ArnPattern | None:
    tokens = template.resolve_tokens(scope.lookup)
    if tokens is None:
        return None
    return _compile_resolved(tokens, template.source)


@functools.lru_cache(maxsize=16384)
def _compile_resolved(tokens: tuple[Token, ...], source: str) -> ArnPattern:
    return compile_arn_tokens(tokens, source)


def judge_principal(
    statement: Statement, scope: RequestScope, mode: PrincipalMode
) -> tuple[GrantKind, str | None]:
    """(grant, issue): how the statement names the caller, or why it cannot say."""
    block = statement.principal
    if mode is PrincipalMode.FORBIDDEN:
        if block is None:
            return GrantKind.ANY, None
        return GrantKind.NONE, "a Principal element, which this layer does not allow,"
    if block is None:
        if mode is PrincipalMode.OPTIONAL:
            return GrantKind.ANY, None
        return GrantKind.NONE, None

    grant = match_principal(block, scope.caller)
    if not statement.not_principal:
        return grant, None
    if scope.resource_kind is ResourceKind.ROLE_TRUST:
        return GrantKind.NONE, "NotPrincipal, which trust policies do not allow,"
    if statement.is_deny and scope.has_boundary:
        # IAM: a Deny with NotPrincipal denies a caller that has a permissions
        # boundary even when NotPrincipal names it ("AWS JSON policy elements:
        # NotPrincipal").
        return GrantKind.ANY, None
    return (GrantKind.ANY if grant is GrantKind.NONE else GrantKind.NONE), None


def _unsupported(
    statement: Statement,
    policy: Policy,
    outcomes: list[ConditionOutcome],
    principal_issue: str | None,
) -> tuple[str, ...]:
    where = f"in policy {policy.policy_id or '(unnamed)'} statement {statement.index}"
    reasons = [f"{principal_issue} {where}"] if principal_issue else []
    for condition, outcome in zip(statement.conditions, outcomes):
        if outcome.result is None:
            reasons.append(f"{describe_unknown(condition, outcome)} {where}")
    return tuple(reasons)


def describe_unknown(condition: Condition, outcome: ConditionOutcome) -> str:
    """Why a condition could not be evaluated, naming the operator or key."""
    if condition.spec is None:
        return f"condition operator {condition.operator}"
    if condition.invalid_reason:
        return f"condition {condition.operator} ({condition.invalid_reason})"
    return f"condition {condition.operator} on {condition.key}"


def find_near_misses(
    policies: tuple[Policy, ...], scope: RequestScope, mode: PrincipalMode
) -> tuple[NearMiss, ...]:
    """Statements that fail on exactly one part: action, resource, principal or key.

    Only statements for the request's service are considered (the policy's action
    index): a statement for another service is no near miss on the action.
    """
    misses: list[NearMiss] = []
    for policy in policies:
        action_matches = frozenset(policy.statements_for_action(scope.action))
        for statement in policy.candidates(scope.action):
            miss = near_miss(statement, policy, scope, mode, action_matches)
            if miss is not None:
                misses.append(miss)
    return tuple(misses)


def near_miss(
    statement: Statement,
    policy: Policy,
    scope: RequestScope,
    mode: PrincipalMode,
    action_matches: frozenset[Statement] | None = None,
) -> NearMiss | None:
    """A NearMiss if exactly one part of the statement fails, else None.

    The cheap parts are checked first and the search stops at a second failure.
    """
    if action_matches is None:
        action_matches = frozenset(policy.statements_for_action(scope.action))
    failed: list[NearMissPart] = []
    if statement not in action_matches:
        failed.append(NearMissPart.ACTION)
    if not statement.any_resource and not match_resource(statement, scope):
        failed.append(NearMissPart.RESOURCE)
    if len(failed) > 1:
        return None
    grant, issue = judge_principal(statement, scope, mode)
    if grant is GrantKind.NONE and issue is None:
        failed.append(NearMissPart.PRINCIPAL)
    if len(failed) > 1:
        return None
    failing = _failing_conditions(statement, scope)
    if len(failed) + len(failing) != 1:
        return None

    base = (policy.policy_id, statement.index, statement.sid, statement.effect)
    if failed:
        return NearMiss(*base, failed[0])
    condition, outcome = failing[0]
    return NearMiss(
        *base, NearMissPart.CONDITION, condition.key, condition.operator,
        condition.values, outcome.request_values,
    )  # fmt: skip


def _failing_conditions(
    statement: Statement, scope: RequestScope
) -> list[tuple[Condition, ConditionOutcome]]:
    failing = []
    for condition in statement.conditions:
        outcome = evaluate_condition(condition, scope.context, scope.lookup)
        if outcome.result is False:
            failing.append((condition, outcome))
    return failing
