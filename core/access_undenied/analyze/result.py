"""The result object of one analyzed record: its parts, JSON form and schema check.

The shape keeps the earlier tool's `EventId`, `AssessmentResult` and
`ResultDetails` (`PoliciesToAdd`, `ExplicitDenyPolicies`) and adds the reason code,
the explanation, the responsible policies and what AWS itself reported. The shape
is published as `schemas/result.json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from json.encoder import encode_basestring_ascii
from typing import Any

from access_undenied.analyze.reasons import ReasonCode, assessment_result

JsonDict = dict[str, Any]

POLICY_VERSION = "2012-10-17"


@dataclass(frozen=True)
class PolicyToAdd:
    """A policy (or statements) to attach to, or add into, `attachment_target_arn`."""

    attachment_target_arn: str
    statements: tuple[Mapping[str, Any], ...]
    policy_type: str
    note: str = ""

    def to_dict(self) -> JsonDict:
        """The earlier tool's `PoliciesToAdd` entry, plus the policy type."""
        entry: JsonDict = {
            "AttachmentTargetArn": self.attachment_target_arn,
            "Policy": {"Version": POLICY_VERSION, "Statement": list(self.statements)},
            "PolicyType": self.policy_type,
        }
        if self.note:
            entry["Note"] = self.note
        return entry


@dataclass(frozen=True)
class ResponsiblePolicy:
    """A statement that decided the denial, as written in its document."""

    policy_arn: str | None
    policy_name: str | None
    policy_type: str
    attachment_target_arn: str | None
    sid: str | None
    statement: Mapping[str, Any] | None = field(default=None, hash=False)
    matched_condition: Mapping[str, Any] | None = field(default=None, hash=False)

    def to_dict(self) -> JsonDict:
        """The `ResponsiblePolicies` entry."""
        return {
            "PolicyArn": self.policy_arn,
            "PolicyName": self.policy_name,
            "PolicyType": self.policy_type,
            "AttachmentTargetArn": self.attachment_target_arn,
            "Sid": self.sid,
            "Statement": _plain(self.statement),
            "MatchedCondition": _plain(self.matched_condition),
        }

    def to_explicit_deny(self) -> JsonDict:
        """The earlier tool's `ExplicitDenyPolicies` entry for this statement."""
        return {
            "AttachmentTargetArn": self.attachment_target_arn or "",
            "PolicyArn": self.policy_arn or "",
            "PolicyName": self.policy_name or "",
            "PolicyStatement": _plain(self.statement) or {},
        }


@dataclass(frozen=True)
class RequestSummary:
    """The request as evaluated: principal, action, resource and context used."""

    principal: str | None
    action: str | None
    resource: str | None
    resource_account: str | None
    context: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> JsonDict:
        """The `Request` object."""
        return {
            "Principal": self.principal,
            "Action": self.action,
            "Resource": self.resource,
            "ResourceAccount": self.resource_account,
            "Context": {
                key: value if isinstance(value, str) else list(value)
                for key, value in self.context.items()
            },
        }


@dataclass(frozen=True)
class AwsReport:
    """What AWS said about the denial: in the message, or through its APIs."""

    layer: str | None
    explicit: bool | None
    policy_arn: str | None
    source: str = "message"

    def to_dict(self) -> JsonDict:
        """The `AwsReported` object."""
        return {
            "Layer": self.layer,
            "Explicit": self.explicit,
            "PolicyArn": self.policy_arn,
            "Source": self.source,
        }


@dataclass(frozen=True)
class Finding:
    """The analysis of one request, before it is dressed as a result object."""

    code: ReasonCode
    explanation: str
    request: RequestSummary | None = None
    denied_by: tuple[str, ...] = ()
    responsible: tuple[ResponsiblePolicy, ...] = ()
    policies_to_add: tuple[PolicyToAdd, ...] = ()
    fix_not_proposed: str = ""
    unsupported: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    aws_report: AwsReport | None = None
    agrees_with_aws: bool | None = None
    error: str = ""


@dataclass(frozen=True)
class EventInfo:
    """What belongs to the record rather than to the request: id, time, origin."""

    event_id: str | None
    event_time: str | None = None
    source_file: str | None = None
    source_index: int | None = None


class LazyResult(Mapping[str, Any]):
    """A result object read from its JSON text when first looked into."""

    __slots__ = ("_parsed", "line", "reason_code")

    def __init__(self, line: str, reason_code: str) -> None:
        self.line = line
        self.reason_code = reason_code
        self._parsed: JsonDict | None = None

    def _fields(self) -> JsonDict:
        if self._parsed is None:
            self._parsed = json.loads(self.line)
        return self._parsed

    def __getitem__(self, key: str) -> Any:
        return self._fields()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields())

    def __len__(self) -> int:
        return len(self._fields())


def build_result_body(finding: Finding) -> JsonDict:
    """Every field of a result that depends on the request, not on the record."""
    request = finding.request or RequestSummary(None, None, None, None)
    body: JsonDict = {
        "AssessmentResult": assessment_result(finding.code),
        "ResultDetails": build_details(finding),
        "ReasonCode": finding.code.value,
        "Explanation": finding.explanation,
        "Request": request.to_dict(),
        "DeniedBy": list(finding.denied_by),
        "ResponsiblePolicies": [item.to_dict() for item in finding.responsible],
        "AwsReported": finding.aws_report.to_dict() if finding.aws_report else None,
        "AgreesWithAws": finding.agrees_with_aws,
        "Unsupported": list(finding.unsupported),
        "MissingData": list(finding.missing),
    }
    if finding.error:
        body["Error"] = finding.error
    return body


def build_details(finding: Finding) -> JsonDict:
    """`ResultDetails`: the fix to add, or the explicit deny statements to change."""
    details: JsonDict = {}
    if finding.policies_to_add:
        details["PoliciesToAdd"] = [item.to_dict() for item in finding.policies_to_add]
    denies = [item.to_explicit_deny() for item in finding.responsible if _denies(item)]
    if denies and finding.code.value.endswith("explicit_deny"):
        details["ExplicitDenyPolicies"] = denies
    if finding.fix_not_proposed:
        details["FixNotProposed"] = finding.fix_not_proposed
    return details


def _denies(item: ResponsiblePolicy) -> bool:
    return item.statement is not None and item.statement.get("Effect") == "Deny"


def build_event_fields(event: EventInfo) -> JsonDict:
    """The fields of a result that belong to the record."""
    fields: JsonDict = {"EventId": event.event_id, "EventTime": event.event_time}
    if event.source_file is not None:
        fields["Source"] = {"File": event.source_file, "Index": event.source_index}
    return fields


def snapshot_fields(snapshot_time: str | None, age: float | None) -> JsonDict:
    """The snapshot's time and its age at the event (seconds)."""
    return {"SnapshotTime": snapshot_time, "SnapshotAgeSeconds": age}


def json_text(value: str | None) -> str:
    """A string or None as JSON text, as `json.dumps` writes it."""
    return "null" if value is None else encode_basestring_ascii(value)


def source_text(event: EventInfo) -> str:
    """The `Source` member of a result as JSON text with its leading comma."""
    if event.source_file is None:
        return ""
    index = event.source_index
    index_text = str(index) if type(index) is int else json.dumps(index)
    file_text = json_text(event.source_file)
    return f', "Source": {{"File": {file_text}, "Index": {index_text}}}'


def age_text(age: float | None) -> str:
    """The snapshot's age as JSON text (finite: it comes from whole seconds)."""
    return "null" if age is None else float.__repr__(age)


def assemble_result(
    event: EventInfo, body: Mapping[str, Any], snapshot: Mapping[str, Any]
) -> JsonDict:
    """One result object in the documented key order."""
    return {**build_event_fields(event), **body, **snapshot}


def _plain(value: Mapping[str, Any] | None) -> JsonDict | None:
    """A statement or condition as a dict; they come from JSON, so no copy."""
    if value is None:
        return None
    return value if isinstance(value, dict) else dict(value)


@lru_cache(maxsize=1)
def result_schema() -> JsonDict:
    """The result JSON Schema shipped in the package."""
    text = resources.files("access_undenied").joinpath("schemas/result.json")
    schema: JsonDict = json.loads(text.read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = result_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema)


def validation_errors(result: Mapping[str, Any]) -> list[str]:
    """Every way `result` breaks the result schema, as `path: message` lines."""
    errors = sorted(_validator().iter_errors(result), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors]
