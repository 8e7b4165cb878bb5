"""Judging one layer (a set of policies) on its own: explicit deny, allow, unknown.

Within a layer a matching `Deny` statement is an explicit deny and a matching `Allow`
statement allows; a layer with neither denies implicitly (IAM User Guide, "Policy
evaluation logic"). Unknown statements leave the layer's answer unknown.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from access_undenied.engine.model import (
    ConditionMatch,
    Layer,
    LayerVerdict,
    StatementMatch,
)
from access_undenied.engine.scope import RequestScope
from access_undenied.engine.statements import (
    PrincipalMode,
    match_statement_for_action,
)
from access_undenied.policy.model import Policy, Statement
from access_undenied.policy.principal import GrantKind


class LayerState(NamedTuple):
    """A layer's own answer: `deny` and `allow` are True, False or None (unknown).

    `grant` is how directly an allowing statement names the caller (resource
    policies only); `policies` are kept for near misses.
    """

    layer: Layer
    level: int | None
    deny: bool | None
    allow: bool | None
    grant: GrantKind = GrantKind.NONE
    policies: tuple[Policy, ...] = ()
    matched: tuple[StatementMatch, ...] = ()
    missing_keys: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    mode: PrincipalMode = PrincipalMode.FORBIDDEN

    @property
    def verdict(self) -> LayerVerdict:
        """The layer's verdict on its own."""
        if self.deny:
            return LayerVerdict.EXPLICIT_DENY
        if self.deny is None or self.allow is None:
            return LayerVerdict.UNKNOWN
        return LayerVerdict.ALLOW if self.allow else LayerVerdict.IMPLICIT_DENY


def evaluate_layer(
    layer: Layer,
    policies: tuple[Policy, ...],
    scope: RequestScope,
    mode: PrincipalMode,
    level: int | None = None,
) -> LayerState:
    """Judge every candidate statement of the layer's policies."""
    if mode is PrincipalMode.FORBIDDEN:
        static = static_layer_state(layer, policies, scope.action, level)
        if static is not None:
            return static
    candidates = candidate_statements(policies, scope.action)
    deny: bool | None = False
    allow: bool | None = False
    grant = unknown_grant = GrantKind.NONE
    matched: list[StatementMatch] = []
    missing: list[str] = []
    unsupported: list[str] = []
    for policy, statement in candidates:
        outcome = match_statement_for_action(statement, policy, scope, mode)
        if outcome.missing_keys:
            missing.extend(outcome.missing_keys)
        result = outcome.result
        if result is False:
            continue
        if result is None:
            unsupported.extend(outcome.unsupported)
            if statement.is_deny:
                deny = True if deny else None
            else:
                allow = True if allow else None
                unknown_grant = max(unknown_grant, outcome.grant)
            continue
        if outcome.conditions:
            matched.append(_statement_match(policy, statement, outcome.conditions))
        else:
            matched.append(_plain_statement_match(policy, statement))
        if statement.is_deny:
            deny = True
        else:
            allow = True
            grant = max(grant, outcome.grant)
    return LayerState(
        layer,
        level,
        deny,
        allow,
        grant if allow else unknown_grant,
        policies,
        tuple(matched),
        tuple(missing),
        tuple(unsupported),
        mode,
    )


@functools.lru_cache(maxsize=16384)
def static_layer_state(
    layer: Layer, policies: tuple[Policy, ...], action: str, level: int | None
) -> LayerState | None:
    """The state of a layer whose answer depends on the action alone, else None.

    That holds where every statement for the action covers every resource and has
    no condition and no principal, as for FullAWSAccess or an SCP denying actions.
    """
    candidates = candidate_statements(policies, action)
    if any(_depends_on_request(statement) for _, statement in candidates):
        return None
    deny = any(statement.is_deny for _, statement in candidates)
    allow = any(not statement.is_deny for _, statement in candidates)
    matched = tuple(_plain_statement_match(p, s) for p, s in candidates)
    grant = GrantKind.ANY if allow else GrantKind.NONE
    return LayerState(layer, level, deny, allow, grant, policies, matched)


def _depends_on_request(statement: Statement) -> bool:
    return bool(
        statement.conditions
        or not statement.any_resource
        or statement.principal is not None
    )


def _statement_match(
    policy: Policy, statement: Statement, conditions: tuple[ConditionMatch, ...]
) -> StatementMatch:
    return StatementMatch(
        policy.policy_id, statement.index, statement.sid, statement.effect, conditions
    )


@functools.lru_cache(maxsize=65536)
def _plain_statement_match(policy: Policy, statement: Statement) -> StatementMatch:
    """The match of a statement without conditions is the same for every request."""
    return _statement_match(policy, statement, ())


@functools.lru_cache(maxsize=16384)
def candidate_statements(
    policies: tuple[Policy, ...], action: str
) -> tuple[tuple[Policy, Statement], ...]:
    """Every (policy, statement) of a layer whose action matches, in order.

    Memoised: policies hash by identity, and IAM's action names are a finite set.
    """
    return tuple(
        (policy, statement)
        for policy in policies
        for statement in policy.statements_for_action(action)
    )
