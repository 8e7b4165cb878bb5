"""`EvaluationRequest.replaced`: the same request as `dataclasses.replace` gives."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from access_undenied.engine.model import ContextMap, EvaluationRequest
from access_undenied.policy import parse_policy

POLICY = parse_policy(
    {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}},
    policy_id="p",
)
BASE = EvaluationRequest(
    principal="arn:aws:iam::111122223333:role/app",
    action="s3:GetObject",
    resource="arn:aws:s3:::bucket/key",
    context={"aws:SourceIp": "203.0.113.7"},
    identity_policies=(POLICY,),
)

CHANGES: list[tuple[str, dict[str, Any]]] = [
    ("principal", {"principal": "arn:aws:iam::111122223333:user/bob"}),
    ("context", {"context": {"aws:RequestedRegion": "eu-west-1"}}),
    ("policies", {"identity_policies": (), "resource_policy": POLICY}),
    ("levels", {"scps": ((POLICY,),), "rcps": ()}),
]


@pytest.mark.parametrize(
    "changes", [c for _, c in CHANGES], ids=[i for i, _ in CHANGES]
)
def test_replaced_equals_dataclasses_replace(changes: dict[str, Any]) -> None:
    assert BASE.replaced(**changes) == dataclasses.replace(BASE, **changes)


def test_replaced_context_becomes_a_context_map() -> None:
    changed = BASE.replaced(context={"aws:SourceIp": ["198.51.100.1"]})
    assert isinstance(changed.context, ContextMap)
    assert changed.context["aws:SourceIp"] == ("198.51.100.1",)


def test_replaced_leaves_the_original() -> None:
    BASE.replaced(action="s3:PutObject")
    assert BASE.action == "s3:GetObject"


def test_replaced_unknown_field_is_an_error() -> None:
    with pytest.raises(TypeError, match="polices"):
        BASE.replaced(polices=())
