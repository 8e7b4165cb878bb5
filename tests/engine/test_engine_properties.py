"""Invariants of the decision over random combinations of layers (hypothesis)."""

from __future__ import annotations

from typing import Any

from access_undenied.engine import Decision, EvaluationRequest, Layer, evaluate
from access_undenied.policy import Policy, parse_policy
from hypothesis import given, settings
from hypothesis import strategies as st

ACCT = "111122223333"
PRINCIPALS = (
    f"arn:aws:iam::{ACCT}:user/alice",
    f"arn:aws:sts::{ACCT}:assumed-role/app/s1",
    "arn:aws:sts::444455556666:assumed-role/partner/s1",
)
RESOURCES = ("arn:aws:s3:::bucket-a/key", f"arn:aws:sqs:us-east-1:{ACCT}:jobs")


def _policy(effect: str, action: str, principal: Any = None) -> Policy:
    statement: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": "*"}
    if principal is not None:
        statement["Principal"] = principal
    return parse_policy({"Version": "2012-10-17", "Statement": [statement]})


IDENTITY = st.sampled_from(
    [_policy("Allow", "*"), _policy("Allow", "s3:*"), _policy("Allow", "sqs:*")]
)
RESOURCE = st.sampled_from(
    [None, _policy("Allow", "*", "*"), _policy("Allow", "s3:*", {"AWS": ACCT})]
)
OPTIONAL = st.sampled_from([None, _policy("Allow", "*"), _policy("Allow", "ec2:*")])
LEVELS = st.sampled_from(
    [
        None,
        ((_policy("Allow", "*"),),),
        ((_policy("Allow", "*"),), (_policy("Allow", "s3:*"),)),
    ]
)
DENY_ALL = _policy("Deny", "*")
DENY_ALL_ANYONE = _policy("Deny", "*", "*")


@st.composite
def requests(draw: st.DrawFn) -> EvaluationRequest:
    """A request over a small pool of principals, resources and policies."""
    return EvaluationRequest(
        principal=draw(st.sampled_from(PRINCIPALS)),
        action=draw(st.sampled_from(["s3:GetObject", "sqs:SendMessage"])),
        resource=draw(st.sampled_from(RESOURCES)),
        identity_policies=tuple(draw(st.lists(IDENTITY, max_size=2))),
        permissions_boundary=draw(OPTIONAL),
        session_policy=draw(OPTIONAL),
        resource_policy=draw(RESOURCE),
        scps=draw(LEVELS),
    )


def _replace(request: EvaluationRequest, **changes: Any) -> EvaluationRequest:
    fields = {name: getattr(request, name) for name in request.__dataclass_fields__}
    fields.update(changes)
    return EvaluationRequest(**fields)


@settings(max_examples=100, deadline=None)
@given(requests())
def test_identity_deny_all_always_denies(request: EvaluationRequest) -> None:
    denied = _replace(request, identity_policies=(*request.identity_policies, DENY_ALL))
    result = evaluate(denied)
    assert result.decision is Decision.EXPLICITLY_DENIED
    assert Layer.IDENTITY in result.denied_by


@settings(max_examples=100, deadline=None)
@given(requests())
def test_resource_deny_all_always_denies(request: EvaluationRequest) -> None:
    result = evaluate(_replace(request, resource_policy=DENY_ALL_ANYONE))
    assert result.decision is Decision.EXPLICITLY_DENIED
    assert Layer.RESOURCE in result.denied_by


@settings(max_examples=100, deadline=None)
@given(requests())
def test_a_denial_names_a_layer(request: EvaluationRequest) -> None:
    result = evaluate(request)
    assert (result.decision is Decision.ALLOWED) is (not result.denied_by)


@settings(max_examples=100, deadline=None)
@given(requests())
def test_removing_a_boundary_never_denies_more(request: EvaluationRequest) -> None:
    before = evaluate(request).decision
    after = evaluate(_replace(request, permissions_boundary=None)).decision
    if before is Decision.ALLOWED:
        assert after is Decision.ALLOWED


@settings(max_examples=100, deadline=None)
@given(requests())
def test_adding_an_identity_allow_never_denies_more(request: EvaluationRequest) -> None:
    before = evaluate(request).decision
    more = (*request.identity_policies, _policy("Allow", "*"))
    after = evaluate(_replace(request, identity_policies=more)).decision
    if before is Decision.ALLOWED:
        assert after is Decision.ALLOWED
