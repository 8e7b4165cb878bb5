"""The engine's frozen request and result objects.

An EvaluationRequest holds parsed policies per layer; an EvaluationResult says the
decision, every layer that denies on its own, and the evidence per layer. Layers and
decisions use AWS's vocabulary (IAM User Guide, "Policy evaluation logic").
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

from access_undenied.policy.model import Effect, Policy

ContextValue = Union[str, tuple[str, ...]]


class Decision(str, enum.Enum):
    """The answer for one request; Undetermined when it hangs on something unknown."""

    ALLOWED = "Allowed"
    IMPLICITLY_DENIED = "ImplicitlyDenied"
    EXPLICITLY_DENIED = "ExplicitlyDenied"
    UNDETERMINED = "Undetermined"


class Layer(str, enum.Enum):
    """A policy layer of AWS's evaluation."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    PERMISSIONS_BOUNDARY = "permissions_boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"
    VPC_ENDPOINT = "vpc_endpoint"


class NearMissPart(str, enum.Enum):
    """The one part of a statement that kept it from matching."""

    ACTION = "action"
    RESOURCE = "resource"
    PRINCIPAL = "principal"
    CONDITION = "condition"


class LayerVerdict(str, enum.Enum):
    """What a layer says on its own about the request."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


class ContextMap(Mapping[str, ContextValue]):
    """An immutable, hashable request context: key -> value or tuple of values.

    Keys keep their spelling; `lowered` maps lowercased keys to tuples of values,
    the form the engine reads (condition key names are case-insensitive).
    """

    __slots__ = ("_hash", "_items", "lowered")

    def __init__(self, items: Mapping[str, Any] | None = None) -> None:
        normalised = {
            str(key): normalise_context_value(value)
            for key, value in (items or {}).items()
        }
        self._items: dict[str, ContextValue] = normalised
        self.lowered: dict[str, tuple[str, ...]] = {
            key.lower(): (value,) if isinstance(value, str) else value
            for key, value in normalised.items()
        }
        self._hash = hash(frozenset(normalised.items()))

    def __getitem__(self, key: str) -> ContextValue:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ContextMap):
            return self._hash == other._hash and self._items == other._items
        return isinstance(other, Mapping) and self._items == dict(other)

    def __repr__(self) -> str:
        return f"ContextMap({self._items!r})"


def normalise_context_value(value: Any) -> ContextValue:
    """A context value as text: JSON booleans become `true`/`false`, lists tuples."""
    if isinstance(value, (list, tuple)):
        return tuple(context_text(item) for item in value)
    return context_text(value)


def context_text(value: Any) -> str:
    """One context value as IAM compares it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


PolicyLevels = tuple[tuple[Policy, ...], ...]


@dataclass(frozen=True)
class EvaluationRequest:
    """One request and the policies of every layer that governs it.

    `scps`/`rcps` hold one tuple per level, root first; None means the layer does not
    apply (no organization, or the management account). `context` may be any mapping;
    it is stored as a hashable ContextMap so requests can key a cache.
    `s3_restrict_public_buckets` is the bucket's S3 Block Public Access setting
    `RestrictPublicBuckets` (account or bucket level).
    """

    principal: str
    action: str
    resource: str = "*"
    context: Mapping[str, ContextValue] = field(default_factory=ContextMap)
    resource_account: str | None = None
    identity_policies: tuple[Policy, ...] = ()
    permissions_boundary: Policy | None = None
    session_policy: Policy | None = None
    resource_policy: Policy | None = None
    vpc_endpoint_policies: tuple[Policy, ...] = ()
    scps: PolicyLevels | None = None
    rcps: PolicyLevels | None = None
    principal_is_management_account: bool = False
    resource_in_management_account: bool = False
    s3_restrict_public_buckets: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.context, ContextMap):
            object.__setattr__(self, "context", ContextMap(self.context))

    def replaced(self, **changes: Any) -> EvaluationRequest:
        """`dataclasses.replace` for this class, without its per-field overhead."""
        unknown = changes.keys() - _REQUEST_FIELDS
        if unknown:
            raise TypeError(f"EvaluationRequest has no field {sorted(unknown)[0]}")
        copy = object.__new__(EvaluationRequest)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        copy.__post_init__()
        return copy


_REQUEST_FIELDS = frozenset(EvaluationRequest.__dataclass_fields__)


@dataclass(frozen=True)
class ConditionMatch:
    """A condition of a matched statement: key, operator, and both sides' values."""

    key: str
    operator: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...]


@dataclass(frozen=True)
class StatementMatch:
    """A statement that matched the request."""

    policy_id: str
    statement_index: int
    sid: str | None
    effect: Effect
    conditions: tuple[ConditionMatch, ...] = ()


@dataclass(frozen=True)
class NearMiss:
    """A statement that failed on exactly one part; for a condition, which key."""

    policy_id: str
    statement_index: int
    sid: str | None
    effect: Effect
    part: NearMissPart
    condition_key: str | None = None
    operator: str | None = None
    policy_values: tuple[str, ...] = ()
    request_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerResult:
    """One layer (or one SCP/RCP level) judged on its own."""

    layer: Layer
    verdict: LayerVerdict
    level: int | None = None
    policy_ids: tuple[str, ...] = ()
    matched: tuple[StatementMatch, ...] = ()
    near_misses: tuple[NearMiss, ...] = ()


@dataclass(frozen=True)
class EvaluationResult:
    """The decision, the layers that deny on their own, and the evidence."""

    decision: Decision
    denied_by: tuple[Layer, ...]
    layers: tuple[LayerResult, ...] = ()
    missing_context_keys: tuple[str, ...] = ()
    unsupported: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def layer(self, layer: Layer) -> tuple[LayerResult, ...]:
        """The results of one layer (several for SCP and RCP levels)."""
        return tuple(item for item in self.layers if item.layer is layer)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form returned by `simulate` (see simulate-result.json)."""
        from access_undenied.engine.serialize import result_to_dict

        return result_to_dict(self)
