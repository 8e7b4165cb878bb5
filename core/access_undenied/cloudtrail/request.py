"""A denied request rebuilt from its CloudTrail record: `build_request`.

This is the one place where CloudTrail's camelCase members become the request's
fields. It never raises for a record that is a JSON object: what cannot be read is
said in `Request.unknowns`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

from access_undenied.cloudtrail.actions import determine_actions
from access_undenied.cloudtrail.arns import partition_for
from access_undenied.cloudtrail.context import build_context
from access_undenied.cloudtrail.identity import (
    CallerIdentity,
    PrincipalType,
    parse_user_identity,
)
from access_undenied.cloudtrail.messages import parse_denial_message
from access_undenied.cloudtrail.models import Request
from access_undenied.cloudtrail.resources import Place, determine_resources

logger = logging.getLogger(__name__)

__all__ = ["Request", "build_request"]


class EventFields(NamedTuple):
    """The record's own scalar members, read once (camelCase stops here)."""

    event_id: str | None
    event_time: str | None
    event_source: str | None
    event_name: str | None
    region: str | None
    error_code: str | None
    error_message: str | None
    recipient_account_id: str | None


def read_event_fields(record: Mapping[str, Any]) -> EventFields:
    """The scalar members of a record; one that is not a string is None."""
    get = record.get
    return EventFields(
        as_text(get("eventID")),
        as_text(get("eventTime")),
        as_text(get("eventSource")),
        as_text(get("eventName")),
        as_text(get("awsRegion")),
        as_text(get("errorCode")),
        as_text(get("errorMessage")),
        as_text(get("recipientAccountId")),
    )


def build_request(record: Mapping[str, Any]) -> Request:
    """Rebuild the request of one CloudTrail record (principal, action, resource)."""
    if type(record) is not dict and not isinstance(record, Mapping):
        record = {}
    event = read_event_fields(record)
    message = parse_denial_message(event.error_code, event.error_message)
    principal = parse_user_identity(record.get("userIdentity"))

    parameters = record.get("requestParameters")
    parameters = parameters if type(parameters) is dict else {}
    action_result = determine_actions(
        message.action, event.event_source, event.event_name, parameters
    )
    action = action_result.actions[0] if action_result.actions else None

    place = Place(
        partition_for(principal.arn or principal.issuer_arn, event.region),
        event.region,
        event.recipient_account_id or principal.account_id,
    )
    found = determine_resources(message, action, record, place)

    unknowns = principal_unknowns(principal, message.principal) + found.unknowns
    if action_result.unknown:
        unknowns = (action_result.unknown, *unknowns)
    return Request(
        *event[:7],
        principal=principal,
        actions=action_result.actions,
        resources=found.resources,
        resource_account=found.resource_account,
        context=build_context(record, principal, found.resource_account),
        message=message,
        recipient_account_id=event.recipient_account_id,
        unknowns=unknowns,
    )


def principal_unknowns(
    principal: CallerIdentity, message_principal: str | None
) -> tuple[str, ...]:
    """Sentences for callers the record does not identify by an ARN."""
    if principal.is_anonymous and is_arn_text(message_principal):
        return (
            f"The record has no caller but its message names {message_principal!r}; "
            "the request is treated as anonymous.",
        )
    if principal.arn or principal.is_anonymous or principal.policy_principal:
        return ()
    if principal.type is PrincipalType.AWS_ACCOUNT:
        return (
            f"The caller is a principal of account {principal.account_id} known only "
            f"by its principal id {principal.principal_id!r}; its ARN is not in the "
            "record.",
        )
    return (
        f"The caller ({principal.type.value}) has no ARN in the record; policies "
        "that name it cannot be matched.",
    )


def is_arn_text(value: str | None) -> bool:
    """True for a string that starts like an ARN."""
    return bool(value) and str(value).startswith("arn:")


def as_text(value: object) -> str | None:
    """A non-empty string, or None for anything else."""
    return value if type(value) is str and value else None
