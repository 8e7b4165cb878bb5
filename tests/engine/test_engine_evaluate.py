"""The engine end to end: tamper tests, evidence in results, unknowns, the cache."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from access_undenied.engine import (
    ContextMap,
    Decision,
    EvaluationRequest,
    Evaluator,
    Layer,
    LayerVerdict,
    NearMissPart,
    evaluate,
)
from access_undenied.engine.simulate import build_evaluation_request
from access_undenied.policy import Effect, parse_policy

ACCT = "111122223333"
USER = f"arn:aws:iam::{ACCT}:user/alice"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"
OBJECT = "arn:aws:s3:::bucket-a/reports/q1.csv"


def _allow(action: str, resource: str, **extra: Any) -> dict[str, Any]:
    statement = {"Sid": "Grant", "Effect": "Allow", "Action": action}
    statement["Resource"] = resource
    statement.update(extra)
    return {"Version": "2012-10-17", "Statement": [statement]}


ALLOWED_REQUESTS: dict[str, dict[str, Any]] = {
    "identity": {
        "principal": USER,
        "action": "s3:GetObject",
        "resource": OBJECT,
        "identity_policies": [
            _allow("s3:GetObject", "arn:aws:s3:::bucket-a/reports/*")
        ],
    },
    "resource": {
        "principal": SESSION,
        "action": "s3:GetObject",
        "resource": OBJECT,
        "resource_policy": _allow(
            "s3:GetObject", OBJECT, Principal={"AWS": f"arn:aws:iam::{ACCT}:role/app"}
        ),
    },
    "trust": {
        "principal": USER,
        "action": "sts:AssumeRole",
        "resource": f"arn:aws:iam::{ACCT}:role/target",
        "resource_policy": {
            "Statement": {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"AWS": USER},
            }
        },
    },
}

# (id, request, path to a string in the request, index of the character to change)
TAMPERS = [
    (
        "identity-resource",
        "identity",
        ("identity_policies", 0, "Statement", 0, "Resource"),
        15,
    ),
    (
        "identity-action",
        "identity",
        ("identity_policies", 0, "Statement", 0, "Action"),
        4,
    ),
    ("request-resource", "identity", ("resource",), 20),
    ("request-principal", "identity", ("principal",), 30),
    (
        "resource-policy-principal",
        "resource",
        ("resource_policy", "Statement", 0, "Principal", "AWS"),
        35,
    ),
    (
        "resource-policy-resource",
        "resource",
        ("resource_policy", "Statement", 0, "Resource"),
        22,
    ),
    (
        "trust-principal",
        "trust",
        ("resource_policy", "Statement", "Principal", "AWS"),
        36,
    ),
    ("trust-action", "trust", ("resource_policy", "Statement", "Action"), 6),
]


def _tampered(text: str, index: int) -> str:
    index %= len(text)
    replacement = "x" if text[index] != "x" else "y"
    return text[:index] + replacement + text[index + 1 :]


def _set(document: Any, path: tuple[Any, ...], index: int) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = _tampered(document[path[-1]], index)


def _decide(request: dict[str, Any]) -> Decision:
    return evaluate(build_evaluation_request(request)).decision


@pytest.mark.parametrize(
    ("name", "path", "index"),
    [case[1:] for case in TAMPERS],
    ids=[case[0] for case in TAMPERS],
)
def test_one_changed_character_denies(
    name: str, path: tuple[Any, ...], index: int
) -> None:
    request = copy.deepcopy(ALLOWED_REQUESTS[name])
    assert _decide(request) is Decision.ALLOWED

    _set(request, path, index)
    assert _decide(request) is not Decision.ALLOWED


@pytest.mark.parametrize("name", sorted(ALLOWED_REQUESTS))
def test_flipped_effect_denies_explicitly(name: str) -> None:
    request = copy.deepcopy(ALLOWED_REQUESTS[name])
    policy = request.get("resource_policy") or request["identity_policies"][0]
    statements = policy["Statement"]
    statement = statements[0] if isinstance(statements, list) else statements
    statement["Effect"] = "Deny"
    assert _decide(request) is Decision.EXPLICITLY_DENIED


def test_matched_statement_evidence() -> None:
    policy = parse_policy(
        _allow("s3:*", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
        "arn:aws:iam::111122223333:policy/Read",
    )
    request = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {"aws:SourceIp": "10.1.2.3"}, None, (policy,)
    )
    result = evaluate(request)
    (identity,) = result.layer(Layer.IDENTITY)
    (match,) = identity.matched
    assert identity.verdict is LayerVerdict.ALLOW
    assert (match.policy_id, match.statement_index, match.sid) == (
        "arn:aws:iam::111122223333:policy/Read",
        0,
        "Grant",
    )
    assert match.effect is Effect.ALLOW
    (condition,) = match.conditions
    assert condition.key == "aws:SourceIp"
    assert condition.policy_values == ("10.0.0.0/8",)
    assert condition.request_values == ("10.1.2.3",)


NEAR_MISSES = [
    (
        "action",
        {"Action": "s3:PutObject", "Resource": OBJECT},
        {},
        NearMissPart.ACTION,
        None,
    ),
    (
        "resource",
        {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"},
        {},
        NearMissPart.RESOURCE,
        None,
    ),
    (
        "condition",
        {
            "Action": "s3:GetObject",
            "Resource": OBJECT,
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
        },
        {"aws:PrincipalTag/team": "red"},
        NearMissPart.CONDITION,
        "aws:PrincipalTag/team",
    ),
]


@pytest.mark.parametrize(
    ("statement", "context", "part", "key"),
    [case[1:] for case in NEAR_MISSES],
    ids=[case[0] for case in NEAR_MISSES],
)
def test_near_miss_names_the_failing_part(
    statement: dict[str, Any],
    context: dict[str, str],
    part: NearMissPart,
    key: str | None,
) -> None:
    document = {"Statement": [{"Effect": "Allow", **statement}]}
    policy = parse_policy(document, "P")
    request = EvaluationRequest(USER, "s3:GetObject", OBJECT, context, None, (policy,))
    result = evaluate(request)
    assert result.decision is Decision.IMPLICITLY_DENIED
    (miss,) = result.layer(Layer.IDENTITY)[0].near_misses
    assert (miss.part, miss.condition_key) == (part, key)
    if key:
        assert miss.policy_values == ("blue",)
        assert miss.request_values == ("red",)


def test_near_miss_on_principal() -> None:
    bucket_policy = _allow(
        "s3:GetObject", OBJECT, Principal={"AWS": f"arn:aws:iam::{ACCT}:user/bob"}
    )
    request = build_evaluation_request(
        {
            "principal": USER,
            "action": "s3:GetObject",
            "resource": OBJECT,
            "resource_policy": bucket_policy,
        }
    )
    result = evaluate(request)
    (miss,) = result.layer(Layer.RESOURCE)[0].near_misses
    assert miss.part is NearMissPart.PRINCIPAL


def test_no_near_misses_without_explain() -> None:
    policy = parse_policy(_allow("s3:PutObject", OBJECT), "P")
    request = EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (policy,))
    assert evaluate(request, explain=False).layers[0].near_misses == ()


def test_missing_context_key_is_reported() -> None:
    policy = parse_policy(
        _allow("s3:*", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})
    )
    request = EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (policy,))
    result = evaluate(request)
    assert result.decision is Decision.IMPLICITLY_DENIED
    assert result.missing_context_keys == ("aws:MultiFactorAuthPresent",)


def test_unknown_operator_named_and_undetermined() -> None:
    policy = parse_policy(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringFooBar": {"k": "v"}},
                }
            ]
        },
        "P",
    )
    request = EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (policy,))
    result = evaluate(request)
    assert result.decision is Decision.UNDETERMINED
    assert result.unsupported == (
        "condition operator StringFooBar in policy P statement 0",
    )
    assert result.layer(Layer.IDENTITY)[0].verdict is LayerVerdict.UNKNOWN


def test_explicit_deny_settles_an_unknown() -> None:
    unknown = parse_policy(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"StringFooBar": {"k": "v"}},
                }
            ]
        },
        "P",
    )
    deny = parse_policy(
        {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    )
    request = EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (unknown, deny))
    result = evaluate(request)
    assert result.decision is Decision.EXPLICITLY_DENIED
    assert result.unsupported


def test_get_caller_identity_always_allowed() -> None:
    deny = parse_policy(
        {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
    )
    request = EvaluationRequest(USER, "sts:GetCallerIdentity", "*", {}, None, (deny,))
    result = evaluate(request)
    assert result.decision is Decision.ALLOWED
    assert result.notes


def test_request_is_hashable_and_context_normalised() -> None:
    policy = parse_policy(_allow("s3:*", "*"))
    first = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {"a": True, "b": [1, "x"]}, None, (policy,)
    )
    second = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {"a": "true", "b": ("1", "x")}, None, (policy,)
    )
    assert first == second
    assert hash(first) == hash(second)
    assert isinstance(first.context, ContextMap)
    assert dict(first.context) == {"a": "true", "b": ("1", "x")}


def test_evaluator_caches_by_request() -> None:
    policy = parse_policy(_allow("s3:*", "*"))
    evaluator = Evaluator(maxsize=2)
    request = EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (policy,))
    first = evaluator.evaluate(request)
    again = evaluator.evaluate(
        EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (policy,))
    )
    assert again is first

    other = EvaluationRequest(USER, "s3:PutObject", OBJECT, {}, None, (policy,))
    assert evaluator.evaluate(other) is not first
    evaluator.clear()
    assert evaluator.evaluate(request) is not first


def test_cache_distinguishes_policy_objects() -> None:
    allow = parse_policy(_allow("s3:*", "*"))
    deny = parse_policy(
        {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    )
    evaluator = Evaluator()
    allowed = evaluator.evaluate(
        EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (allow,))
    )
    denied = evaluator.evaluate(
        EvaluationRequest(USER, "s3:GetObject", OBJECT, {}, None, (deny,))
    )
    assert (allowed.decision, denied.decision) == (
        Decision.ALLOWED,
        Decision.EXPLICITLY_DENIED,
    )


def test_scp_levels_reported_per_level() -> None:
    full = parse_policy(
        {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, "Full"
    )
    ec2 = parse_policy(
        {"Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}, "Ec2"
    )
    request = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {}, None, (full,), scps=((full,), (ec2,))
    )
    result = evaluate(request)
    verdicts = [(item.level, item.verdict) for item in result.layer(Layer.SCP)]
    assert verdicts == [(0, LayerVerdict.ALLOW), (1, LayerVerdict.IMPLICIT_DENY)]
    assert result.denied_by == (Layer.SCP,)


def _unknown_endpoint_policies(count: int) -> tuple[Any, ...]:
    document = {
        "Statement": {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Principal": "*",
            "Condition": {"StringFooBar": {"k": "v"}},
        }
    }
    return tuple(parse_policy(document, f"vpce{n}") for n in range(count))


def test_many_unknowns_are_undetermined() -> None:
    full = parse_policy(
        {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    )
    request = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {}, None, (full,),
        vpc_endpoint_policies=_unknown_endpoint_policies(13),
    )  # fmt: skip
    assert evaluate(request).decision is Decision.UNDETERMINED


def test_many_unknowns_still_denied_by_a_known_explicit_deny() -> None:
    deny = parse_policy(
        {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}
    )
    request = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {}, None, (deny,),
        vpc_endpoint_policies=_unknown_endpoint_policies(13),
    )  # fmt: skip
    result = evaluate(request)
    assert result.decision is Decision.EXPLICITLY_DENIED
    assert result.denied_by == (Layer.IDENTITY,)


def test_other_service_is_no_action_near_miss() -> None:
    document = {
        "Statement": [
            {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
        ]
    }
    request = EvaluationRequest(
        USER, "s3:GetObject", OBJECT, {}, None, (parse_policy(document, "P"),)
    )
    misses = evaluate(request).layer(Layer.IDENTITY)[0].near_misses
    assert [(miss.statement_index, miss.part) for miss in misses] == [
        (1, NearMissPart.ACTION)
    ]
