"""Frozen IAM policy objects: Policy, Statement, Condition, PrincipalBlock.

Documents are parsed once (`access_undenied.policy.parse_policy`) into these objects,
with every pattern compiled, so evaluation never touches raw dicts. Policies and
statements compare by identity: parse a document once and reuse the object.
See IAM User Guide, "IAM JSON policy element reference".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Union

from access_undenied.policy.arn import ArnPattern
from access_undenied.policy.variables import Template
from access_undenied.policy.wildcard import WildcardPattern, has_wildcard

if TYPE_CHECKING:
    from access_undenied.policy.conditions import Operator

MAX_MEMOISED_ACTIONS = 4096

# A compiled Resource pattern: an ARN pattern, or a template with policy variables.
ResourcePattern = Union[ArnPattern, Template]


class Effect(str, enum.Enum):
    """A statement's `Effect`."""

    ALLOW = "Allow"
    DENY = "Deny"


class SetOperator(str, enum.Enum):
    """The set prefix of a condition operator for multivalued context keys."""

    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


@dataclass(frozen=True, eq=False)
class Condition:
    """One condition key under one operator, e.g. `StringLike` `s3:prefix` [...].

    `operator` is the operator as written; `base_operator` is it without the set
    prefix and the `IfExists` suffix; `spec` is None when the engine does not know
    the operator, which makes the condition unknown at evaluation.
    """

    operator: str
    base_operator: str
    set_operator: SetOperator | None
    if_exists: bool
    key: str
    values: tuple[str, ...]
    spec: Operator | None = field(default=None, repr=False)
    templates: tuple[Template | None, ...] = field(default=(), repr=False)
    prepared: object = field(default=None, repr=False)
    invalid_reason: str | None = field(default=None, repr=False)
    # The key lowercased (AWS compares key names case-insensitively), and whether a
    # value holds a policy variable resolved per request; both set at construction.
    key_lower: str = field(init=False, repr=False)
    has_variables: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_lower", self.key.lower())
        variables = any(template is not None for template in self.templates)
        object.__setattr__(self, "has_variables", variables)


@dataclass(frozen=True, eq=False)
class PrincipalBlock:
    """A `Principal` or `NotPrincipal` element, its values grouped by type."""

    wildcard: bool
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Statement:
    """One statement; `index` is its 0-based position in the policy's list.

    `not_action`, `not_resource` and `not_principal` say the element was the negated
    form. `resources` is None where the statement has neither `Resource` nor
    `NotResource` (trust policies); `principal` is None where it has no principal.
    """

    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...] | None
    not_resource: bool
    principal: PrincipalBlock | None
    not_principal: bool
    conditions: tuple[Condition, ...]
    action_patterns: tuple[WildcardPattern, ...] = field(default=(), repr=False)
    resource_patterns: tuple[ResourcePattern, ...] = field(default=(), repr=False)
    # Set at construction: `Effect` is Deny; the statement covers every resource.
    is_deny: bool = field(init=False, repr=False)
    any_resource: bool = field(init=False, repr=False)
    # Context keys that policy variables in Resource and condition values need.
    variable_keys: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_deny", self.effect is Effect.DENY)
        every = self.resources is None or (
            not self.not_resource
            and any(
                isinstance(pattern, ArnPattern) and pattern.match_all
                for pattern in self.resource_patterns
            )
        )
        object.__setattr__(self, "any_resource", every)
        templates = [p for p in self.resource_patterns if isinstance(p, Template)]
        templates += [t for c in self.conditions for t in c.templates if t]
        keys = dict.fromkeys(key for t in templates for key in t.required_keys)
        object.__setattr__(self, "variable_keys", tuple(keys))

    def matches_action(self, action: str) -> bool:
        """`Action` / `NotAction` against a lowercased action (case-insensitive)."""
        found = any(pattern.matches(action) for pattern in self.action_patterns)
        return found is not self.not_action


@dataclass(frozen=True, eq=False)
class Policy:
    """A parsed policy: its id (ARN or name), `Version`, and statements.

    The index of statements by service prefix is built at construction.
    """

    policy_id: str
    version: str | None
    statements: tuple[Statement, ...]
    document_id: str | None = None
    action_index: Mapping[str, tuple[Statement, ...]] = field(init=False, repr=False)
    any_service: tuple[Statement, ...] = field(init=False, repr=False)
    _by_action: dict[str, tuple[Statement, ...]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        index, any_service = build_action_index(self.statements)
        object.__setattr__(self, "action_index", index)
        object.__setattr__(self, "any_service", any_service)

    def candidates(self, action: str) -> tuple[Statement, ...]:
        """The statements that may match `action`, found by its service prefix."""
        service = action.split(":", 1)[0].lower()
        return self.action_index.get(service, self.any_service)

    def statements_for_action(self, action: str) -> tuple[Statement, ...]:
        """The statements whose `Action`/`NotAction` matches the action.

        Memoised per action: IAM's action names are a finite set, so the memo stays
        small while every later request for the same action skips the matching.
        """
        found = self._by_action.get(action)
        if found is None:
            lowered = action.lower()
            found = tuple(
                s for s in self.candidates(lowered) if s.matches_action(lowered)
            )
            if len(self._by_action) >= MAX_MEMOISED_ACTIONS:
                self._by_action.clear()
            self._by_action[action] = found
        return found


def build_action_index(
    statements: tuple[Statement, ...],
) -> tuple[Mapping[str, tuple[Statement, ...]], tuple[Statement, ...]]:
    """Map each service prefix to the statements that may match its actions.

    Statements with `NotAction` or a wildcard in the service prefix go to every
    service; the order of statements is kept.
    """
    by_service: dict[str, list[Statement]] = {}
    any_service: list[Statement] = []
    for statement in statements:
        prefixes = _service_prefixes(statement)
        if prefixes is None:
            any_service.append(statement)
            continue
        for prefix in prefixes:
            by_service.setdefault(prefix, []).append(statement)

    index = {
        service: tuple(_merged(listed, any_service))
        for service, listed in by_service.items()
    }
    return MappingProxyType(index), tuple(any_service)


def _merged(first: list[Statement], second: list[Statement]) -> list[Statement]:
    """Two lists of statements in policy order, merged by statement index."""
    if not second:
        return first
    return sorted([*first, *second], key=lambda statement: statement.index)


def _service_prefixes(statement: Statement) -> frozenset[str] | None:
    """The literal service prefixes of a statement's actions; None for any."""
    if statement.not_action:
        return None
    prefixes = set()
    for action in statement.actions:
        service = action.split(":", 1)[0].lower()
        if has_wildcard(service) or ":" not in action:
            return None
        prefixes.add(service)
    return frozenset(prefixes)
