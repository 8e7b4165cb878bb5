"""Reading CloudTrail exports and rebuilding each denied request from its record."""

from __future__ import annotations

from access_undenied.cloudtrail.identity import CallerIdentity, PrincipalType
from access_undenied.cloudtrail.messages import (
    DenialLayer,
    DenialMessage,
    MessageForm,
    ResourceKind,
    parse_denial_message,
)
from access_undenied.cloudtrail.models import ReadError, ReadStats, RecordItem, Request
from access_undenied.cloudtrail.reader import (
    is_denial,
    iter_denials,
    iter_many,
    iter_records,
)
from access_undenied.cloudtrail.request import build_request

__all__ = [
    "CallerIdentity",
    "DenialLayer",
    "DenialMessage",
    "MessageForm",
    "PrincipalType",
    "ReadError",
    "ReadStats",
    "RecordItem",
    "Request",
    "ResourceKind",
    "build_request",
    "is_denial",
    "iter_denials",
    "iter_many",
    "iter_records",
    "parse_denial_message",
]
