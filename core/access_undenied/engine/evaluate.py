"""Evaluate an EvaluationRequest: judge each applicable layer, then decide.

Which layers apply (IAM User Guide, "Policy evaluation logic"; AWS Organizations User
Guide, SCPs and RCPs): SCPs govern IAM principals of member accounts, but not the
management account nor service-linked roles; RCPs govern resources of member accounts
for the services that support them, but not for service-linked roles; identity
policies, permissions boundaries and session policies govern IAM principals only;
`sts:GetCallerIdentity` is always allowed.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from access_undenied.engine.decide import decide
from access_undenied.engine.layers import LayerState, evaluate_layer
from access_undenied.engine.model import (
    Decision,
    EvaluationRequest,
    EvaluationResult,
    Layer,
    LayerResult,
    LayerVerdict,
)
from access_undenied.engine.public_access import is_public_policy
from access_undenied.engine.scope import (
    ALWAYS_ALLOWED_ACTIONS,
    RCP_SERVICES,
    RequestScope,
    build_scope,
    scope_key,
)
from access_undenied.engine.statements import PrincipalMode, find_near_misses
from access_undenied.policy.model import Policy
from access_undenied.policy.principal import GrantKind, PrincipalKind

logger = logging.getLogger(__name__)


def evaluate(request: EvaluationRequest, *, explain: bool = True) -> EvaluationResult:
    """Decide a request as AWS would; `explain` adds near misses for denying layers."""
    scope = _scope_for(request)
    if scope.action in ALWAYS_ALLOWED_ACTIONS:
        note = f"{request.action} is always allowed, whatever the policies say"
        return EvaluationResult(Decision.ALLOWED, (), notes=(note,))

    states, notes = collect_states(scope)
    if not scope.layer_states:
        scope.layer_states[:] = states
    states = restrict_public_buckets(states, scope, notes)
    if _unknown_resource_account(scope):
        notes.append("the resource's account is unknown: taken as the caller's")
    decision, denied_by = decide(states, scope)
    show_misses = explain and decision is not Decision.ALLOWED
    layers = tuple(
        layer_result(state, scope, show_misses and _denies(state, denied_by))
        for state in states
    )
    missing = [
        key for state in states if state.missing_keys for key in state.missing_keys
    ]
    unsupported = [
        item for state in states if state.unsupported for item in state.unsupported
    ]
    return EvaluationResult(
        decision=decision,
        denied_by=denied_by,
        layers=layers,
        missing_context_keys=_unique_keys(missing) if missing else (),
        unsupported=_unique(unsupported) if unsupported else (),
        notes=tuple(notes),
    )


def restrict_public_buckets(
    states: list[LayerState], scope: RequestScope, notes: list[str]
) -> list[LayerState]:
    """Drop a public bucket policy's grant where RestrictPublicBuckets strips it."""
    request = scope.request
    caller = scope.caller
    if not request.s3_restrict_public_buckets or scope.service != "s3":
        return states
    if request.resource_policy is None or not is_public_policy(request.resource_policy):
        return states
    if caller.kind is PrincipalKind.SERVICE or (caller.is_iam and scope.same_account):
        return states

    notes.append(
        "S3 Block Public Access (RestrictPublicBuckets): the public bucket policy "
        "grants nothing to anonymous or cross-account callers"
    )
    return [
        state._replace(allow=False, grant=GrantKind.NONE)
        if state.layer is Layer.RESOURCE and state.allow
        else state
        for state in states
    ]


def _unknown_resource_account(scope: RequestScope) -> bool:
    unknown = scope.resource_account is None and scope.caller.is_iam
    return unknown and scope.resource.startswith("arn:")


def _denies(state: LayerState, denied_by: tuple[Layer, ...]) -> bool:
    """Near misses are worth finding in a layer (or level) that denies or is unknown."""
    verdict = state.verdict
    if verdict is LayerVerdict.UNKNOWN:
        return True
    return state.layer in denied_by and verdict is not LayerVerdict.ALLOW


# The last request's scope and the layer states judged under it. Re-evaluating the
# same request with one layer changed (a proposed fix) judges only that layer again:
# a layer's state depends on its policies and on the scope alone.
_last_scope: list[RequestScope] = []


def _scope_for(request: EvaluationRequest) -> RequestScope:
    """The scope of the request, reusing the last one (and its states) if it fits."""
    key = scope_key(request)
    last = _last_scope[0] if _last_scope else None
    if last is not None and last.key == key:
        return last._replace(request=request)
    scope = build_scope(request, key)
    _last_scope[:] = [scope]
    return scope


def judge_layer(
    scope: RequestScope,
    layer: Layer,
    policies: tuple[Policy, ...],
    mode: PrincipalMode,
    level: int | None = None,
) -> LayerState:
    """`evaluate_layer`, or the state judged earlier under this scope, same policies."""
    for state in scope.layer_states:  # empty unless the scope is being reused
        same = state.layer is layer and state.level == level and state.mode is mode
        if same and state.policies == policies:
            return state
    return evaluate_layer(layer, policies, scope, mode, level)


def collect_states(scope: RequestScope) -> tuple[list[LayerState], list[str]]:
    """Judge every layer that applies to the request, and note the exemptions."""
    request = scope.request
    caller = scope.caller
    states: list[LayerState] = []
    notes: list[str] = []

    states.extend(_organization_layers(scope, notes))
    for position, policy in enumerate(request.vpc_endpoint_policies):
        states.append(
            judge_layer(
                scope,
                Layer.VPC_ENDPOINT,
                (policy,),
                PrincipalMode.OPTIONAL,
                position,
            )
        )
    if request.resource_policy is not None:
        resource_policies = (request.resource_policy,)
        states.append(
            judge_layer(
                scope, Layer.RESOURCE, resource_policies, PrincipalMode.REQUIRED
            )
        )

    if not caller.is_iam:
        if request.identity_policies or request.permissions_boundary:
            notes.append(f"identity policies do not apply to {caller.kind.value}")
        return states, notes
    if caller.kind is not PrincipalKind.ROOT:
        states.extend(_principal_layers(scope))
    return states, notes


def _principal_layers(scope: RequestScope) -> list[LayerState]:
    request = scope.request
    forbidden = PrincipalMode.FORBIDDEN
    states = [judge_layer(scope, Layer.IDENTITY, request.identity_policies, forbidden)]
    if request.permissions_boundary is not None:
        boundary = (request.permissions_boundary,)
        layer = Layer.PERMISSIONS_BOUNDARY
        states.append(judge_layer(scope, layer, boundary, forbidden))
    if request.session_policy is not None:
        session = (request.session_policy,)
        states.append(judge_layer(scope, Layer.SESSION, session, forbidden))
    return states


def _organization_layers(scope: RequestScope, notes: list[str]) -> list[LayerState]:
    """SCP and RCP levels, root first, where they apply."""
    request = scope.request
    caller = scope.caller
    states: list[LayerState] = []
    scps_apply = request.scps is not None and caller.is_iam
    if scps_apply and caller.is_service_linked_role:
        notes.append("SCPs do not apply to service-linked roles")
    elif scps_apply and request.principal_is_management_account:
        notes.append("SCPs do not apply to the management account")
    elif scps_apply:
        for level, policies in enumerate(request.scps or ()):
            mode = PrincipalMode.FORBIDDEN
            states.append(judge_layer(scope, Layer.SCP, policies, mode, level))

    if request.rcps is None:
        return states
    if caller.is_service_linked_role:
        notes.append("RCPs do not apply to service-linked roles")
    elif request.resource_in_management_account:
        notes.append("RCPs do not apply to resources of the management account")
    elif scope.service not in RCP_SERVICES:
        notes.append(f"RCPs do not apply to the service {scope.service}")
    else:
        for level, policies in enumerate(request.rcps):
            mode = PrincipalMode.OPTIONAL
            states.append(judge_layer(scope, Layer.RCP, policies, mode, level))
    return states


def layer_result(state: LayerState, scope: RequestScope, misses: bool) -> LayerResult:
    """The public LayerResult of a state, with near misses if asked."""
    near = find_near_misses(state.policies, scope, state.mode) if misses else ()
    policy_ids = _policy_ids(state.policies)
    return LayerResult(
        state.layer, state.verdict, state.level, policy_ids, state.matched, near
    )


@functools.lru_cache(maxsize=16384)
def _policy_ids(policies: tuple[Policy, ...]) -> tuple[str, ...]:
    return tuple(policy.policy_id for policy in policies)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _unique_keys(keys: Iterable[str]) -> tuple[str, ...]:
    """Condition keys without case-insensitive duplicates, first spelling kept."""
    seen: dict[str, str] = {}
    for key in keys:
        seen.setdefault(key.lower(), key)
    return tuple(seen.values())


class Evaluator:
    """Evaluate with a bounded cache keyed by the (hashable) request.

    Policies hash by identity, so the cache pays off when the same parsed policy
    objects are reused, as the analyzer does.
    """

    def __init__(self, maxsize: int = 65536, explain: bool = True) -> None:
        self.maxsize = maxsize
        self.explain = explain
        self._cache: dict[EvaluationRequest, EvaluationResult] = {}

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        """The cached result for the request, evaluating it on first sight."""
        cached = self._cache.get(request)
        if cached is not None:
            return cached
        result = evaluate(request, explain=self.explain)
        if len(self._cache) >= self.maxsize:
            self._cache.clear()
        self._cache[request] = result
        return result

    def clear(self) -> None:
        """Forget every cached result."""
        self._cache.clear()
