"""The catalogue of reasons a denial can have, with the words each result uses.

One row per `ReasonCode`: the `AssessmentResult` string the earlier Access Undenied
tool wrote (kept for its users' scripts), and the template of the one sentence that
explains the denial to a person. Templates take `str.format` fields from
`EXPLANATION_FIELDS`; a field the result cannot fill reads "unknown".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class ReasonCode(str, enum.Enum):
    """Why a request was denied, or why the analysis could not say."""

    IDENTITY_POLICY_MISSING_ALLOW = "identity_policy_missing_allow"
    IDENTITY_POLICY_EXPLICIT_DENY = "identity_policy_explicit_deny"
    RESOURCE_POLICY_MISSING_ALLOW = "resource_policy_missing_allow"
    RESOURCE_POLICY_EXPLICIT_DENY = "resource_policy_explicit_deny"
    IDENTITY_AND_RESOURCE_POLICY_MISSING_ALLOW = (
        "identity_and_resource_policy_missing_allow"
    )
    PERMISSIONS_BOUNDARY_MISSING_ALLOW = "permissions_boundary_missing_allow"
    PERMISSIONS_BOUNDARY_EXPLICIT_DENY = "permissions_boundary_explicit_deny"
    SCP_MISSING_ALLOW = "scp_missing_allow"
    SCP_EXPLICIT_DENY = "scp_explicit_deny"
    RCP_MISSING_ALLOW = "rcp_missing_allow"
    RCP_EXPLICIT_DENY = "rcp_explicit_deny"
    SESSION_POLICY_MISSING_ALLOW = "session_policy_missing_allow"
    SESSION_POLICY_EXPLICIT_DENY = "session_policy_explicit_deny"
    VPC_ENDPOINT_POLICY_MISSING_ALLOW = "vpc_endpoint_policy_missing_allow"
    VPC_ENDPOINT_POLICY_EXPLICIT_DENY = "vpc_endpoint_policy_explicit_deny"
    INVALID_ACTION = "invalid_action"
    NOT_REPRODUCED = "not_reproduced"
    UNSUPPORTED = "unsupported"
    INSUFFICIENT_DATA = "insufficient_data"
    NOT_A_DENIAL = "not_a_denial"
    ERROR = "error"


@dataclass(frozen=True)
class Reason:
    """One row of the catalogue."""

    code: ReasonCode
    assessment_result: str
    explanation: str
    # The engine layer this reason blames, "" when it blames none.
    layer: str = ""
    explicit: bool = False


EXPLANATION_FIELDS = frozenset(
    {
        "principal",
        "action",
        "resource",
        "policy",
        "sid",
        "condition",
        "level",
        "missing",
        "unsupported",
        "error",
        "fix_target",
        "account",
        "holder",
    }
)

# The sentences end with what to do, so the reader can act on the sentence alone.
_CATALOGUE = (
    Reason(
        ReasonCode.IDENTITY_POLICY_MISSING_ALLOW,
        "Missing allow in an identity-based policy",
        "No identity-based policy of {principal} allows {action} on {resource}; "
        "attach the proposed statement to {fix_target}.",
        "identity",
    ),
    Reason(
        ReasonCode.IDENTITY_POLICY_EXPLICIT_DENY,
        "Explicit deny in an identity-based policy",
        "Statement {sid} of the identity-based policy {policy} denies {action} on "
        "{resource}{condition}; change or remove that statement.",
        "identity",
        True,
    ),
    Reason(
        ReasonCode.RESOURCE_POLICY_MISSING_ALLOW,
        "Missing allow in a resource-based policy",
        "The resource-based policy of {holder} does not allow {principal} to "
        "perform {action} on {resource}; add the proposed statement to {fix_target}.",
        "resource",
    ),
    Reason(
        ReasonCode.RESOURCE_POLICY_EXPLICIT_DENY,
        "Explicit deny in a resource-based policy",
        "Statement {sid} of the resource-based policy {policy} denies {action} on "
        "{resource}{condition}; change or remove that statement.",
        "resource",
        True,
    ),
    Reason(
        ReasonCode.IDENTITY_AND_RESOURCE_POLICY_MISSING_ALLOW,
        "Missing allow in both the identity-based and the resource-based policies",
        "Neither an identity-based policy of {principal} nor the resource-based "
        "policy of {holder} (account {account}) allows {action} on {resource}; "
        "cross-account access needs both proposed statements.",
        "identity",
    ),
    Reason(
        ReasonCode.PERMISSIONS_BOUNDARY_MISSING_ALLOW,
        "Missing allow in a permissions boundary",
        "The permissions boundary {policy} of {principal} does not allow {action} "
        "on {resource}; add the proposed statement to {fix_target}.",
        "permissions_boundary",
    ),
    Reason(
        ReasonCode.PERMISSIONS_BOUNDARY_EXPLICIT_DENY,
        "Explicit deny in a permissions boundary",
        "Statement {sid} of the permissions boundary {policy} denies {action} on "
        "{resource}{condition}; change or remove that statement.",
        "permissions_boundary",
        True,
    ),
    Reason(
        ReasonCode.SCP_MISSING_ALLOW,
        "Missing allow in a service-control policy",
        "No service control policy attached at {level} allows {action}; attach the "
        "proposed SCP to {fix_target}.",
        "scp",
    ),
    Reason(
        ReasonCode.SCP_EXPLICIT_DENY,
        "Explicit deny in a service-control policy",
        "Statement {sid} of the service control policy {policy} denies {action} "
        "on {resource}{condition}; change that SCP or exempt {principal} from it.",
        "scp",
        True,
    ),
    Reason(
        ReasonCode.RCP_MISSING_ALLOW,
        "Missing allow in a resource-control policy",
        "No resource control policy attached at {level} allows {action} on "
        "{resource}; attach the proposed RCP to {fix_target}.",
        "rcp",
    ),
    Reason(
        ReasonCode.RCP_EXPLICIT_DENY,
        "Explicit deny in a resource-control policy",
        "Statement {sid} of the resource control policy {policy} denies {action} "
        "on {resource}{condition}; change that RCP or exempt the request from it.",
        "rcp",
        True,
    ),
    Reason(
        ReasonCode.SESSION_POLICY_MISSING_ALLOW,
        "Missing allow in a session policy",
        "AWS reports that the session policy of {principal} does not allow "
        "{action}, and every other layer allows it; start the session with a "
        "session policy that allows {action} on {resource}.",
        "session",
    ),
    Reason(
        ReasonCode.SESSION_POLICY_EXPLICIT_DENY,
        "Explicit deny in a session policy",
        "AWS reports that the session policy of {principal} denies {action}, and "
        "every other layer allows it; start the session without that deny.",
        "session",
        True,
    ),
    Reason(
        ReasonCode.VPC_ENDPOINT_POLICY_MISSING_ALLOW,
        "Missing allow in a VPC endpoint policy",
        "AWS reports that the VPC endpoint policy does not allow {action} on "
        "{resource}, and every other layer allows it; add {action} to the "
        "endpoint's policy.",
        "vpc_endpoint",
    ),
    Reason(
        ReasonCode.VPC_ENDPOINT_POLICY_EXPLICIT_DENY,
        "Explicit deny in a VPC endpoint policy",
        "AWS reports that the VPC endpoint policy denies {action} on {resource}, "
        "and every other layer allows it; change the endpoint's policy.",
        "vpc_endpoint",
        True,
    ),
    Reason(
        ReasonCode.INVALID_ACTION,
        "Invalid action",
        "The request cannot be evaluated because {missing}; check the record's "
        "eventSource, eventName and errorMessage.",
    ),
    Reason(
        ReasonCode.NOT_REPRODUCED,
        "Allowed",
        "The policies in the snapshot allow {principal} to perform {action} on "
        "{resource}; they changed since the event, or a layer the snapshot lacks "
        "denied it.",
    ),
    Reason(
        ReasonCode.UNSUPPORTED,
        "Unsupported",
        "The answer depends on what was not evaluated ({unsupported}); check those "
        "conditions or policies by hand.",
    ),
    Reason(
        ReasonCode.INSUFFICIENT_DATA,
        "Insufficient data",
        "The snapshot lacks the {missing}; add it (collect or pass the account's "
        "files) and analyze again.",
    ),
    Reason(
        ReasonCode.NOT_A_DENIAL,
        "Not a denial",
        "The record is not a denied request; nothing to explain.",
    ),
    Reason(
        ReasonCode.ERROR,
        "Error",
        "The record could not be analyzed: {error}.",
    ),
)

REASONS: Mapping[ReasonCode, Reason] = {row.code: row for row in _CATALOGUE}

# (layer, explicit) -> reason code, for the layers the engine names.
REASON_BY_LAYER: Mapping[tuple[str, bool], ReasonCode] = {
    (row.layer, row.explicit): row.code
    for row in _CATALOGUE
    if row.layer
    and row.code is not ReasonCode.IDENTITY_AND_RESOURCE_POLICY_MISSING_ALLOW
}


class _Blank(dict):  # type: ignore[type-arg]
    """Format mapping that reads a missing field as "unknown"."""

    def __missing__(self, key: str) -> str:
        return "unknown"


def render_explanation(code: ReasonCode, fields: Mapping[str, str]) -> str:
    """Fill the sentence template of `code` with `fields`."""
    template = REASONS[code].explanation
    values = _Blank({k: v for k, v in fields.items() if v is not None})
    return template.format_map(values)


def assessment_result(code: ReasonCode) -> str:
    """The earlier tool's `AssessmentResult` string for `code`."""
    return REASONS[code].assessment_result
