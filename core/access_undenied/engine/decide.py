"""Combining the layers into AWS's decision, with unknowns handled by enumeration.

The rules (IAM User Guide, "Policy evaluation logic" and "Cross-account policy
evaluation logic"; AWS Organizations, SCPs and RCPs):
1. an explicit deny in any layer decides;
2. every SCP level and every RCP level must allow, and every VPC endpoint policy;
3. same account: an allow in the identity policies OR in the resource policy grants;
   cross account: both sides must allow;
4. a role trust policy or KMS key policy must allow explicitly;
   a resource policy that grants only the account (`arn:aws:iam::ACCT:root` or the
   account id) delegates to the account's IAM policies, which must allow too
   ("AWS JSON policy elements: Principal", AWS account principals);
5. the permissions boundary and the session policy must allow, except where a
   same-account resource policy names the user or session directly.
Where a layer's answer is unknown, each possibility is tried: if the decision is the
same for all, it stands; otherwise it is Undetermined.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from access_undenied.engine.layers import LayerState
from access_undenied.engine.model import Decision, Layer
from access_undenied.engine.scope import RequestScope, ResourceKind
from access_undenied.policy.principal import GrantKind, PrincipalKind

# Beyond this many unknown answers the enumeration is not tried (2**n cases): a
# known explicit deny still decides, anything else is Undetermined.
MAX_UNKNOWNS = 12
_GATES = frozenset({Layer.SCP, Layer.RCP, Layer.VPC_ENDPOINT})
_LAYER_ORDER = {layer: position for position, layer in enumerate(Layer)}


def decide(
    states: Sequence[LayerState], scope: RequestScope
) -> tuple[Decision, tuple[Layer, ...]]:
    """The decision and every layer that denies on its own in all cases."""
    if all(state.deny is not None and state.allow is not None for state in states):
        decision, denied = decide_known(states, scope)
        return decision, _ordered(denied)
    slots = [
        (position, name)
        for position, state in enumerate(states)
        for name in ("deny", "allow")
        if getattr(state, name) is None
    ]
    if not slots:
        decision, denied = decide_known(states, scope)
        return decision, _ordered(denied)
    if len(slots) > MAX_UNKNOWNS:
        explicit = {state.layer for state in states if state.deny}
        if explicit:
            return Decision.EXPLICITLY_DENIED, _ordered(explicit)
        return Decision.UNDETERMINED, ()

    decisions: set[Decision] = set()
    always_denied: set[Layer] | None = None
    for bits in itertools.product((False, True), repeat=len(slots)):
        resolved = list(states)
        for (position, name), value in zip(slots, bits):
            resolved[position] = _with_answer(resolved[position], name, value)
        decision, denied = decide_known(resolved, scope)
        decisions.add(decision)
        always_denied = denied if always_denied is None else always_denied & denied
    final = decisions.pop() if len(decisions) == 1 else Decision.UNDETERMINED
    return final, _ordered(always_denied or set())


def _with_answer(state: LayerState, name: str, value: bool) -> LayerState:
    if name == "deny":
        return state._replace(deny=value)
    return state._replace(allow=value)


def decide_known(
    states: Sequence[LayerState], scope: RequestScope
) -> tuple[Decision, set[Layer]]:
    """The decision where every layer's answer is known."""
    explicit: set[Layer] = set()
    implicit: set[Layer] = set()
    singles: dict[Layer, LayerState] = {}
    for state in states:
        if state.deny:
            explicit.add(state.layer)
        if state.layer not in _GATES:
            singles[state.layer] = state
        elif not state.allow:
            implicit.add(state.layer)
    implicit |= grant_denials(singles, scope)

    if explicit:
        return Decision.EXPLICITLY_DENIED, explicit | implicit
    if implicit:
        return Decision.IMPLICITLY_DENIED, implicit
    return Decision.ALLOWED, set()


# TODO: S3 Block Public Access and ACLs are not modelled: a public grant in a bucket
# policy counts even where BlockPublicPolicy/RestrictPublicBuckets would strip it, so
# such a denial is explained as allowed by the resource policy.
def grant_denials(
    singles: Mapping[Layer, LayerState], scope: RequestScope
) -> set[Layer]:
    """The layers among identity, resource, boundary and session that deny."""
    resource = singles.get(Layer.RESOURCE)
    resource_allows = resource is not None and bool(resource.allow)
    grant = resource.grant if resource is not None and resource_allows else None
    if not scope.caller.is_iam:
        return set() if resource_allows else {Layer.RESOURCE}

    denied: set[Layer] = set()
    needs_identity = _needs_identity(scope, resource_allows, grant)
    must_allow = scope.resource_kind is not ResourceKind.GENERAL
    if not resource_allows and (must_allow or not scope.same_account):
        denied.add(Layer.RESOURCE)
    if needs_identity and not _identity_allows(singles, scope):
        denied.add(Layer.IDENTITY)
        if resource is not None and not resource_allows:
            denied.add(Layer.RESOURCE)

    direct = scope.same_account and grant is GrantKind.DIRECT
    for layer in (Layer.PERMISSIONS_BOUNDARY, Layer.SESSION):
        state = singles.get(layer)
        if state is not None and not state.allow and not direct:
            denied.add(layer)
    return denied


def _needs_identity(
    scope: RequestScope, resource_allows: bool, grant: GrantKind | None
) -> bool:
    """Whether an identity-policy allow is required for this request."""
    if not scope.same_account or not resource_allows:
        return True
    # A resource policy that grants only the account delegates to IAM policies.
    return grant is GrantKind.ACCOUNT


def _identity_allows(singles: Mapping[Layer, LayerState], scope: RequestScope) -> bool:
    if scope.caller.kind is PrincipalKind.ROOT:
        return True
    identity = singles.get(Layer.IDENTITY)
    return identity is not None and bool(identity.allow)


def _ordered(layers: set[Layer]) -> tuple[Layer, ...]:
    if len(layers) < 2:
        return tuple(layers)
    return tuple(sorted(layers, key=_LAYER_ORDER.__getitem__))
