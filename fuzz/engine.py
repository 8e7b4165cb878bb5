"""Fuzz the engine: a fuzzed policy judged against a fuzzed request.

Run: `python fuzz/engine.py -timeout=2 -max_len=16384` (see fuzz/README.md). The
first bytes pick the action, resource and context; the rest is the policy text.
"""

from __future__ import annotations

import atheris
from _target import ALLOWED_ERRORS, run

with atheris.instrument_imports():
    from access_undenied.engine import Decision, EvaluationRequest, evaluate
    from access_undenied.policy import parse_policy

CONTEXT_KEYS = ["aws:SourceIp", "aws:CurrentTime", "aws:PrincipalTag/team", "s3:prefix"]
LAYERS = ["identity", "resource", "boundary", "scp"]


def test_one_input(data: bytes) -> None:
    """Evaluate one request whose policy, action, resource and context are fuzzed."""
    provider = atheris.FuzzedDataProvider(data)
    action = provider.ConsumeUnicodeNoSurrogates(40)
    resource = provider.ConsumeUnicodeNoSurrogates(200)
    context = {
        key: provider.ConsumeUnicodeNoSurrogates(30)
        for key in CONTEXT_KEYS
        if provider.ConsumeBool()
    }
    layer = provider.PickValueInList(LAYERS)
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    try:
        policy = parse_policy(text, "fuzzed")
    except ALLOWED_ERRORS:
        return
    fields = {
        "identity": {"identity_policies": (policy,)},
        "resource": {"resource_policy": policy},
        "boundary": {"permissions_boundary": policy},
        "scp": {"scps": ((policy,),)},
    }[layer]
    request = EvaluationRequest(
        principal="arn:aws:iam::123456789012:role/app",
        action=action,
        resource=resource,
        context=context,
        **fields,
    )
    if not isinstance(evaluate(request).decision, Decision):
        raise AssertionError("evaluate gave no decision")


if __name__ == "__main__":
    run(test_one_input)
