"""The example organization of `examples/`: its snapshot, results and fixes applied."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from access_undenied.analyze import Analyzer
from access_undenied.cloudtrail.reader import iter_denials
from access_undenied.snapshot import Snapshot
from access_undenied.snapshot.from_files import build_from_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ORG_POLICY_PREFIX = "arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5"
ACCOUNT_FILES = sorted(str(p) for p in (EXAMPLES / "account-details").glob("*.json"))


@lru_cache(maxsize=1)
def example_document() -> dict[str, Any]:
    """The snapshot document built from the example files (do not mutate)."""
    return build_from_files(
        ACCOUNT_FILES,
        EXAMPLES / "organization.json",
        EXAMPLES / "resource-policies.json",
    )


def analyze_examples(document: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every result for the example events, in reading order."""
    snapshot = Snapshot.from_document(document or example_document())
    analyzer = Analyzer(snapshot)
    events = str(EXAMPLES / "events")
    return [json.loads(analyzer.explain_item(item)[1]) for item in iter_denials(events)]


def results_by_event() -> dict[str, dict[str, Any]]:
    """The example results keyed by event id (the error result under "error")."""
    found: dict[str, dict[str, Any]] = {}
    for result in analyze_examples():
        found[result["EventId"] or "error"] = result
    return found


def apply_fix(document: dict[str, Any], fix: dict[str, Any]) -> None:
    """Apply one `PoliciesToAdd` entry to a snapshot document, as a user would."""
    target = fix["AttachmentTargetArn"]
    statements = fix["Policy"]["Statement"]
    kind = fix["PolicyType"]
    if kind == "identity":
        entry = principal_entry(document, target)
        inline = entry.setdefault(inline_list(entry), [])
        inline.append({"PolicyName": "proposed-fix", "PolicyDocument": fix["Policy"]})
    elif kind == "resource_policy":
        entry = document["resource_policies"][target]["policy"]
        entry["Statement"].extend(statements)
    elif kind == "trust_policy":
        entry = principal_entry(document, target)
        entry["AssumeRolePolicyDocument"]["Statement"].extend(statements)
    elif kind == "permissions_boundary":
        managed_document(document, target)["Statement"].extend(statements)
    else:
        add_org_policy(document, target, kind, fix["Policy"])


def principal_entry(document: dict[str, Any], arn: str) -> dict[str, Any]:
    """The user or role entry with this ARN."""
    for account in document["accounts"].values():
        for list_name in ("UserDetailList", "RoleDetailList"):
            for entry in account.get(list_name, ()):
                if entry["Arn"] == arn:
                    return entry  # type: ignore[no-any-return]
    raise KeyError(arn)


def inline_list(entry: dict[str, Any]) -> str:
    """The inline policy list of a user or role entry."""
    return "UserPolicyList" if "UserName" in entry else "RolePolicyList"


def managed_document(document: dict[str, Any], arn: str) -> dict[str, Any]:
    """The default version's document of a managed policy."""
    for account in document["accounts"].values():
        for policy in account.get("Policies", ()):
            if policy["Arn"] == arn:
                for version in policy["PolicyVersionList"]:
                    if version["IsDefaultVersion"]:
                        return version["Document"]  # type: ignore[no-any-return]
    raise KeyError(arn)


def add_org_policy(
    document: dict[str, Any], node_arn: str, kind: str, policy: dict[str, Any]
) -> None:
    """Attach a new SCP or RCP to the organization node with this ARN."""
    policy_type = {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY"}
    for node in document["organization"]["nodes"].values():
        if node["arn"] == node_arn:
            node["policies"].append(
                {
                    "Id": "p-proposedfix",
                    "Arn": f"{ORG_POLICY_PREFIX}/{kind}/p-proposedfix",
                    "Name": "ProposedFix",
                    "Type": policy_type[kind],
                    "AwsManaged": False,
                    "PolicyDocument": json.loads(json.dumps(policy)),
                }
            )
            return
    raise KeyError(node_arn)


def fixed_document(fixes: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of the example document with the fixes applied."""
    document = copy.deepcopy(example_document())
    for fix in fixes:
        apply_fix(document, fix)
    return document
