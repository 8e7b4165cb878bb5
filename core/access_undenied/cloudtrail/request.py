"""A denied request rebuilt from its CloudTrail record: `build_request`.

This is the one place where CloudTrail's camelCase members become the request's
fields. It never raises for a record that is a JSON object: what cannot be read is
said in `Request.unknowns`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from access_undenied.cloudtrail.actions import determine_actions
from access_undenied.cloudtrail.context import build_context
from access_undenied.cloudtrail.identity import (
    CallerIdentity,
    PrincipalType,
    parse_user_identity,
)
from access_undenied.cloudtrail.messages import parse_denial_message
from access_undenied.cloudtrail.models import Request
from access_undenied.cloudtrail.resources import (
    Place,
    determine_resources,
    partition_for,
)

logger = logging.getLogger(__name__)

__all__ = ["Request", "build_request"]


def build_request(record: Mapping[str, Any]) -> Request:
    """Rebuild the request of one CloudTrail record (principal, action, resource)."""
    if type(record) is not dict and not isinstance(record, Mapping):
        record = {}
    error_code = text(record, "errorCode")
    error_message = text(record, "errorMessage")
    message = parse_denial_message(error_code, error_message)
    principal = parse_user_identity(record.get("userIdentity"))

    parameters = record.get("requestParameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    action_result = determine_actions(
        message.action,
        text(record, "eventSource"),
        text(record, "eventName"),
        parameters,
    )
    action = action_result.actions[0] if action_result.actions else None

    region = text(record, "awsRegion")
    recipient = text(record, "recipientAccountId")
    place = Place(
        partition=partition_for(principal.arn or principal.issuer_arn, region),
        region=region,
        account=recipient or principal.account_id,
    )
    resource_result = determine_resources(message, action, record, place)

    unknowns = [
        *([action_result.unknown] if action_result.unknown else []),
        *resource_result.unknowns,
        *principal_unknowns(principal),
    ]
    return Request(
        event_id=text(record, "eventID"),
        event_time=text(record, "eventTime"),
        event_source=text(record, "eventSource"),
        event_name=text(record, "eventName"),
        region=region,
        error_code=error_code,
        error_message=error_message,
        principal=principal,
        actions=action_result.actions,
        resources=resource_result.resources,
        resource_account=resource_result.resource_account,
        context=build_context(record, principal, resource_result.resource_account),
        message=message,
        recipient_account_id=recipient,
        unknowns=tuple(unknowns),
    )


def principal_unknowns(principal: CallerIdentity) -> list[str]:
    """Sentences for callers the record does not identify by an ARN."""
    if principal.is_anonymous or principal.policy_principal:
        return []
    if principal.type is PrincipalType.AWS_ACCOUNT:
        return [
            f"The caller is a principal of account {principal.account_id} known only "
            f"by its principal id {principal.principal_id!r}; its ARN is not in the "
            "record."
        ]
    return [
        f"The caller ({principal.type.value}) has no ARN in the record; policies "
        "that name it cannot be matched."
    ]


def text(record: Mapping[str, Any], key: str) -> str | None:
    """A non-empty string member of the record, or None."""
    value = record.get(key)
    return value if type(value) is str and value else None
