"""The reader's items and the rebuilt request: frozen values passed downstream."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from access_undenied.cloudtrail.context import ContextValue
from access_undenied.cloudtrail.identity import CallerIdentity
from access_undenied.cloudtrail.messages import DenialMessage


@dataclass(frozen=True)
class RecordItem:
    """One CloudTrail record read from `source`, at position `index` there."""

    source: str
    index: int
    record: dict[str, Any]


@dataclass(frozen=True)
class ReadError:
    """Input that could not be read as records; reading goes on after it."""

    source: str
    index: int | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.index is None else f"{self.source}#{self.index}"
        return f"{where}: {self.message}"


@dataclass
class ReadStats:
    """Counters of one read: files, records, denials, skips and errors."""

    files: int = 0
    records: int = 0
    denials: int = 0
    not_denials: int = 0
    errors: int = 0

    def to_dict(self) -> dict[str, int]:
        """The counters as a JSON-ready dict."""
        return {
            "files": self.files,
            "records": self.records,
            "denials": self.denials,
            "not_denials": self.not_denials,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class Request:
    """A denied request rebuilt from its CloudTrail record, ready to evaluate.

    `actions[0]` is the denied action; `resources[0]` the resource it was denied on.
    Both are empty where the record does not tell, and `unknowns` says why.
    """

    event_id: str | None
    event_time: str | None
    event_source: str | None
    event_name: str | None
    region: str | None
    error_code: str | None
    error_message: str | None
    principal: CallerIdentity
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    resource_account: str | None
    context: Mapping[str, ContextValue]
    message: DenialMessage
    recipient_account_id: str | None = None
    unknowns: tuple[str, ...] = field(default=())

    @property
    def action(self) -> str | None:
        """The denied action, or None where it could not be determined."""
        return self.actions[0] if self.actions else None

    @property
    def resource(self) -> str | None:
        """The resource the action was denied on, or None where unknown."""
        return self.resources[0] if self.resources else None

    def to_dict(self) -> dict[str, Any]:
        """The request as JSON-ready values; tuples become lists."""
        return {
            "event_id": self.event_id,
            "event_time": self.event_time,
            "event_source": self.event_source,
            "event_name": self.event_name,
            "region": self.region,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "recipient_account_id": self.recipient_account_id,
            "principal": self.principal.to_dict(),
            "actions": list(self.actions),
            "resources": list(self.resources),
            "resource_account": self.resource_account,
            "context": {
                key: value if isinstance(value, str) else list(value)
                for key, value in self.context.items()
            },
            "message": self.message.to_dict(),
            "unknowns": list(self.unknowns),
        }
