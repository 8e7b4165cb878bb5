"""Group results by principal, reason and responsible policy; merge the fixes.

Sessions count as their role (`assumed-role/R/S` -> `role/R`), so the grouping and
the merged policy speak of the identity that holds the policies. The merged policy
per principal joins every verified identity-policy fix of its missing-allow
denials: statements with the same actions share one statement with every resource.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

TEXT = {"type": ["string", "null"]}
# The members of a result that a summary reads, and their types; a results file may
# have been edited by hand, so each result is checked against this before use.
SUMMARY_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "EventId": TEXT,
        "ReasonCode": TEXT,
        "Request": {
            "type": ["object", "null"],
            "properties": {"Principal": TEXT, "Action": TEXT},
        },
        "ResponsiblePolicies": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {"PolicyArn": TEXT, "Sid": TEXT},
            },
        },
        "ResultDetails": {
            "type": ["object", "null"],
            "properties": {
                "PoliciesToAdd": {
                    "type": ["array", "null"],
                    "items": {
                        "type": "object",
                        "required": ["AttachmentTargetArn", "Policy"],
                        "properties": {
                            "AttachmentTargetArn": {"type": "string"},
                            "PolicyType": TEXT,
                            "Policy": {
                                "type": "object",
                                "required": ["Statement"],
                                "properties": {
                                    "Statement": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["Effect"],
                                            "properties": {
                                                "Effect": {"type": "string"},
                                                "Action": {"$ref": "#/$defs/texts"},
                                                "Resource": {"$ref": "#/$defs/texts"},
                                            },
                                        },
                                    }
                                },
                            },
                        },
                    },
                }
            },
        },
    },
    "$defs": {
        "texts": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ]
        }
    },
}
SESSION_RE = re.compile(r"^arn:([^:]+):sts::(\d{12}):assumed-role/([^/]+)/.+$")
EXAMPLE_EVENTS = 5


def input_errors(result: Mapping[str, Any]) -> list[str]:
    """Every member a summary reads that has the wrong type, as `path: message`."""
    errors = sorted(_input_validator().iter_errors(result), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors]


@lru_cache(maxsize=1)
def _input_validator() -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(SUMMARY_INPUT_SCHEMA)


def identity_of(principal: str | None) -> str:
    """The role of a session ARN; any other principal as it is."""
    if not principal:
        return "(unknown)"
    found = SESSION_RE.match(principal)
    if found is None:
        return principal
    partition, account, role = found.groups()
    return f"arn:{partition}:iam::{account}:role/{role}"


@dataclass
class Group:
    """Denials of one principal for one reason and one responsible statement."""

    principal: str
    reason_code: str
    policy_arn: str | None
    sid: str | None
    count: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    event_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The group as JSON-ready values."""
        return {
            "Principal": self.principal,
            "ReasonCode": self.reason_code,
            "PolicyArn": self.policy_arn,
            "Sid": self.sid,
            "Count": self.count,
            "Actions": dict(self.actions.most_common()),
            "ExampleEventIds": self.event_ids,
        }


class Summary:
    """Counts and merged fixes over a stream of results."""

    def __init__(self) -> None:
        self.total = 0
        self.by_reason: Counter[str] = Counter()
        self._groups: dict[tuple[Any, ...], Group] = {}
        self._fixes: dict[str, dict[tuple[str, str], set[str]]] = {}
        self._fix_events: Counter[str] = Counter()

    def add(self, result: Mapping[str, Any]) -> None:
        """Count one result and keep its identity-policy fix."""
        self.total += 1
        code = str(result.get("ReasonCode"))
        self.by_reason[code] += 1
        request = result.get("Request") or {}
        principal = identity_of(request.get("Principal"))
        responsible = (result.get("ResponsiblePolicies") or [{}])[0]
        key = (principal, code, responsible.get("PolicyArn"), responsible.get("Sid"))
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(*key)
        group.count += 1
        group.actions[str(request.get("Action"))] += 1
        event_id = result.get("EventId")
        if event_id and len(group.event_ids) < EXAMPLE_EVENTS:
            group.event_ids.append(str(event_id))
        self._add_fixes(result)

    def _add_fixes(self, result: Mapping[str, Any]) -> None:
        details = result.get("ResultDetails") or {}
        for fix in details.get("PoliciesToAdd") or ():
            if fix.get("PolicyType") != "identity":
                continue
            target = fix["AttachmentTargetArn"]
            statements = self._fixes.setdefault(target, {})
            self._fix_events[target] += 1
            for statement in fix["Policy"]["Statement"]:
                for action in as_list(statement.get("Action")):
                    resources = statements.setdefault(
                        (statement["Effect"], action), set()
                    )
                    resources.update(as_list(statement.get("Resource")))

    def merged_policies(self) -> list[dict[str, Any]]:
        """One least-privilege policy per principal, from its verified fixes."""
        return [
            {
                "AttachmentTargetArn": target,
                "Denials": self._fix_events[target],
                "Policy": {
                    "Version": "2012-10-17",
                    "Statement": merge_statements(statements),
                },
            }
            for target, statements in sorted(self._fixes.items())
        ]

    def groups(self) -> list[Group]:
        """The groups, most frequent first."""
        return sorted(self._groups.values(), key=lambda g: (-g.count, g.principal))

    def to_dict(self) -> dict[str, Any]:
        """The whole summary as JSON-ready values."""
        return {
            "Results": self.total,
            "ByReasonCode": dict(self.by_reason.most_common()),
            "Groups": [group.to_dict() for group in self.groups()],
            "MergedPolicies": self.merged_policies(),
        }


def merge_statements(
    statements: Mapping[tuple[str, str], set[str]],
) -> list[dict[str, Any]]:
    """Statements grouped by their resource set: one statement per set."""
    by_resources: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (effect, action), targets in sorted(statements.items()):
        by_resources.setdefault((effect, tuple(sorted(targets))), []).append(action)
    merged = []
    for (effect, resources), actions in by_resources.items():
        merged.append(
            {
                "Effect": effect,
                "Action": one_or_list(actions),
                "Resource": one_or_list(list(resources)),
            }
        )
    return merged


def as_list(value: Any) -> list[str]:
    """IAM's "a value or a list" as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


def one_or_list(values: list[str]) -> str | list[str]:
    """A single value alone, several as a list (IAM's usual spelling)."""
    return values[0] if len(values) == 1 else values


def summarize(results: Iterable[Mapping[str, Any]]) -> Summary:
    """The summary of a stream of results."""
    summary = Summary()
    for result in results:
        summary.add(result)
    return summary


def render_table(summary: Summary, limit: int = 50) -> str:
    """A readable summary: counts by reason, then the largest groups."""
    lines = [f"{summary.total} result(s)", ""]
    for code, count in summary.by_reason.most_common():
        lines.append(f"{count:>8}  {code}")
    lines += ["", f"{'COUNT':>8}  {'REASON':<42} PRINCIPAL / POLICY"]
    for group in summary.groups()[:limit]:
        lines.append(f"{group.count:>8}  {group.reason_code:<42} {group.principal}")
        if group.policy_arn:
            lines.append(f"{'':>8}  {'':<42} {group.policy_arn} {group.sid or ''}")
    merged = summary.merged_policies()
    if merged:
        lines += ["", "Merged least-privilege policies (identity fixes):"]
        for item in merged:
            actions = sorted(
                {a for s in item["Policy"]["Statement"] for a in as_list(s["Action"])}
            )
            lines.append(f"  {item['AttachmentTargetArn']}: {', '.join(actions)}")
    return "\n".join(lines) + "\n"
