"""Condition operators: the table, and three-valued evaluation of one condition.

IAM rules implemented here (IAM User Guide, "IAM JSON policy elements: Condition
operators" and "Multivalued context keys"):
- the values listed for one key OR together; a negated operator (`StringNotEquals`,
  `NotIpAddress`, `ArnNotLike`, ...) is the negation of its positive form;
- a missing key makes a condition false, except negated operators (true) and
  `...IfExists` (true); `Null: true` means the key is absent;
- `ForAllValues:` is true when every request value matches, and when the key is absent
  or empty; `ForAnyValue:` needs one matching value and is false when absent.
An operator not in the table is never true or false: the condition is unknown.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import logging
import operator as op
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from access_undenied.policy.arn import compile_arn_tokens
from access_undenied.policy.model import Condition, SetOperator
from access_undenied.policy.variables import Lookup
from access_undenied.policy.wildcard import Token, compile_tokens

logger = logging.getLogger(__name__)

IF_EXISTS = "IfExists"
NULL = "Null"

# The request context as the engine holds it: lowercased key -> values.
ContextValues = Mapping[str, tuple[str, ...]]
Values = tuple[tuple[Token, ...], ...]


@dataclass(frozen=True)
class Operator:
    """A condition operator: how its policy values are prepared and tested.

    `test(prepared, value)` says whether one request value matches any policy value
    in the positive sense; `negated` operators invert it.
    """

    name: str
    negated: bool
    prepare: Callable[[Values], Any]
    test: Callable[[Any, str], bool]


class ConditionOutcome(NamedTuple):
    """One condition judged: True, False, or None (unknown), and the evidence."""

    result: bool | None
    key_missing: bool
    request_values: tuple[str, ...]
    reason: str | None = None


def _texts(values: Values) -> tuple[str, ...]:
    return tuple("".join(text for text, _ in tokens) for tokens in values)


def _prepare_set(values: Values) -> frozenset[str]:
    return frozenset(_texts(values))


def _prepare_lower_set(values: Values) -> frozenset[str]:
    return frozenset(text.lower() for text in _texts(values))


def _prepare_like(values: Values) -> tuple[Any, ...]:
    return tuple(compile_tokens(tokens, False, "") for tokens in values)


def _prepare_arn(values: Values) -> tuple[Any, ...]:
    return tuple(compile_arn_tokens(tokens, "") for tokens in values)


def _prepare_numbers(values: Values) -> tuple[float, ...]:
    return tuple(float(text) for text in _texts(values))


def _prepare_dates(values: Values) -> tuple[float, ...]:
    return tuple(parse_date(text) for text in _texts(values))


def _prepare_networks(values: Values) -> tuple[Any, ...]:
    return tuple(ipaddress.ip_network(text, strict=False) for text in _texts(values))


def _test_in(prepared: frozenset[str], value: str) -> bool:
    return value in prepared


def _test_in_lower(prepared: frozenset[str], value: str) -> bool:
    return value.lower() in prepared


def _test_patterns(prepared: tuple[Any, ...], value: str) -> bool:
    return any(pattern.matches(value) for pattern in prepared)


def _test_ip(prepared: tuple[Any, ...], value: str) -> bool:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return any(address in network for network in prepared)


def parse_date(text: str) -> float:
    """Seconds since the epoch from ISO 8601 text or epoch seconds (UTC if no zone)."""
    text = text.strip()
    if text.lstrip("-").replace(".", "", 1).isdigit():
        return float(text)
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


def _comparison(
    parse: Callable[[str], float], compare: Callable[[float, float], bool]
) -> Callable[[tuple[float, ...], str], bool]:
    def test(prepared: tuple[float, ...], value: str) -> bool:
        """True if the request value compares as asked with any policy value."""
        try:
            number = parse(value)
        except (ValueError, OverflowError):
            return False
        return any(compare(number, limit) for limit in prepared)

    return test


_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "Equals": op.eq,
    "LessThan": op.lt,
    "LessThanEquals": op.le,
    "GreaterThan": op.gt,
    "GreaterThanEquals": op.ge,
}


def _ordered_family(family: str, prepare: Callable[[Values], Any]) -> list[Operator]:
    parse = float if family == "Numeric" else parse_date
    operators = [
        Operator(family + suffix, False, prepare, _comparison(parse, compare))
        for suffix, compare in _COMPARISONS.items()
    ]
    equals = _comparison(parse, op.eq)
    operators.append(Operator(family + "NotEquals", True, prepare, equals))
    return operators


def _operator_table() -> dict[str, Operator]:
    operators = [
        Operator("StringEquals", False, _prepare_set, _test_in),
        Operator("StringNotEquals", True, _prepare_set, _test_in),
        Operator("StringEqualsIgnoreCase", False, _prepare_lower_set, _test_in_lower),
        Operator("StringNotEqualsIgnoreCase", True, _prepare_lower_set, _test_in_lower),
        Operator("StringLike", False, _prepare_like, _test_patterns),
        Operator("StringNotLike", True, _prepare_like, _test_patterns),
        Operator("Bool", False, _prepare_lower_set, _test_in_lower),
        Operator("BinaryEquals", False, _prepare_set, _test_in),
        Operator("IpAddress", False, _prepare_networks, _test_ip),
        Operator("NotIpAddress", True, _prepare_networks, _test_ip),
        Operator("ArnEquals", False, _prepare_arn, _test_patterns),
        Operator("ArnLike", False, _prepare_arn, _test_patterns),
        Operator("ArnNotEquals", True, _prepare_arn, _test_patterns),
        Operator("ArnNotLike", True, _prepare_arn, _test_patterns),
        Operator(NULL, False, _prepare_lower_set, _test_in_lower),
        *_ordered_family("Numeric", _prepare_numbers),
        *_ordered_family("Date", _prepare_dates),
    ]
    return {operator.name.lower(): operator for operator in operators}


OPERATORS: Mapping[str, Operator] = _operator_table()
SET_OPERATORS = {member.value.lower(): member for member in SetOperator}


def parse_operator(text: str) -> tuple[Operator | None, str, SetOperator | None, bool]:
    """Split `ForAnyValue:StringLikeIfExists` into (spec, base, set operator, IfExists).

    The spec is None for an operator not in the table.
    """
    set_operator = None
    name = text
    prefix, colon, rest = text.partition(":")
    if colon:
        set_operator = SET_OPERATORS.get(prefix.lower())
        name = rest if set_operator else text

    spec = OPERATORS.get(name.lower())
    if spec is not None:
        return spec, spec.name, set_operator, False
    if name.endswith(IF_EXISTS) and name.lower() != "null" + IF_EXISTS.lower():
        spec = OPERATORS.get(name[: -len(IF_EXISTS)].lower())
        if spec is not None:
            return spec, spec.name, set_operator, True
    return None, name, set_operator, False


def prepare_values(spec: Operator, values: Values) -> Any:
    """Prepare policy values; raises ValueError for a value the operator rejects."""
    return _prepare_cached(spec, values)


@functools.lru_cache(maxsize=16384)
def _prepare_cached(spec: Operator, values: Values) -> Any:
    return spec.prepare(values)


def evaluate_condition(
    condition: Condition,
    context: ContextValues,
    lookup: Lookup,
) -> ConditionOutcome:
    """Judge one condition against the request context (three-valued)."""
    spec = condition.spec
    if spec is None or condition.invalid_reason is not None:
        return ConditionOutcome(None, False, (), condition.invalid_reason)

    request_values = context.get(condition.key_lower, ())
    missing = not request_values
    if spec.name == NULL:
        return _evaluate_null(condition, missing, request_values)

    prepared = _resolve_prepared(condition, spec, lookup)
    if prepared is None:
        return ConditionOutcome(None, missing, request_values, "unprepared")
    result = _judge(condition, spec, prepared, request_values)
    return ConditionOutcome(result, missing, request_values)


def _evaluate_null(
    condition: Condition, missing: bool, request_values: tuple[str, ...]
) -> ConditionOutcome:
    wanted = {"true": True, "false": False}
    result = any(wanted.get(value.lower()) is missing for value in condition.values)
    return ConditionOutcome(result, missing, request_values)


def _resolve_prepared(condition: Condition, spec: Operator, lookup: Lookup) -> Any:
    if not condition.has_variables:
        return condition.prepared

    values: list[tuple[Token, ...]] = []
    for text, template in zip(condition.values, condition.templates):
        if template is None:
            values.append(((text, False),))
            continue
        tokens = template.resolve_tokens(lookup)
        if tokens is not None:
            values.append(tokens)
    try:
        return prepare_values(spec, tuple(values))
    except (ValueError, OverflowError):
        return None


def _judge(
    condition: Condition,
    spec: Operator,
    prepared: Any,
    request_values: tuple[str, ...],
) -> bool:
    """Apply the operator with the set prefix and IfExists rules."""
    if not request_values:
        if condition.if_exists:
            return True
        if condition.set_operator is SetOperator.FOR_ALL_VALUES:
            return True
        if condition.set_operator is SetOperator.FOR_ANY_VALUE:
            return False
        return spec.negated

    test, negated = spec.test, spec.negated
    if condition.set_operator is None:
        matched = any(test(prepared, value) for value in request_values)
        return matched is not negated
    each = (test(prepared, value) is not negated for value in request_values)
    if condition.set_operator is SetOperator.FOR_ALL_VALUES:
        return all(each)
    return any(each)
