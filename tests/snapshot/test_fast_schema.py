"""The fast schema check agrees with jsonschema, and refuses keywords it lacks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from access_undenied.snapshot.fast_schema import compile_schema
from access_undenied.snapshot.schema import snapshot_schema
from snapshot_sample import A, snapshot_document


def role(document: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = document["accounts"][A]["RoleDetailList"][0]
    return entry


MUTATIONS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "unchanged": lambda d: None,
    "version-true-not-1": lambda d: d.update(format_version=True),
    "version-1.0-is-1": lambda d: d.update(format_version=1.0),
    "extra-top-level-key": lambda d: d.update(extra=1),
    "org-null": lambda d: d.update(organization=None),
    "org-list": lambda d: d.update(organization=[]),
    "tag-value-number": lambda d: role(d)["Tags"].append({"Key": "k", "Value": 1}),
    "tag-without-value": lambda d: role(d)["Tags"].append({"Key": "k"}),
    "empty-role-name": lambda d: role(d).update(RoleName=""),
    "boundary-arn-not-arn": lambda d: role(d).update(
        PermissionsBoundary={"PermissionsBoundaryArn": "boundary"}
    ),
    "trust-policy-list": lambda d: role(d).update(AssumeRolePolicyDocument=[]),
    "unknown-role-field-is-fine": lambda d: role(d).update(RoleLastUsed={}),
    "node-type-typo": lambda d: d["organization"]["nodes"][A].update(
        organization_node_type="AwsAccount"
    ),
    "parent-number": lambda d: d["organization"]["nodes"][A].update(parent=7),
    "pab-not-bool": lambda d: d["resource_policies"]["arn:aws:s3:::shared-bucket"][
        "public_access_block"
    ].update(BlockPublicPolicy="yes"),
    "resource-extra-key": lambda d: d["resource_policies"][
        "arn:aws:s3:::shared-bucket"
    ].update(owner="me"),
    "account-key-short": lambda d: d["accounts"].update({"1234": d["accounts"][A]}),
    "error-region-null": lambda d: d["collection_errors"].append(
        {
            "account_id": A,
            "service": "s3",
            "operation": "X",
            "error_code": "Y",
            "region": None,
        }
    ),
    "is-default-string": lambda d: d["accounts"][A]["Policies"][0]["PolicyVersionList"][
        0
    ].update(IsDefaultVersion="true"),
}


@pytest.mark.parametrize("name", list(MUTATIONS), ids=list(MUTATIONS))
def test_agrees_with_jsonschema(name: str) -> None:
    document = copy.deepcopy(snapshot_document())
    MUTATIONS[name](document)
    schema = snapshot_schema()

    expected = jsonschema.validators.validator_for(schema)(schema).is_valid(document)
    assert compile_schema(schema)(document) is expected


def test_some_mutations_are_invalid() -> None:
    schema = snapshot_schema()
    check = compile_schema(schema)
    verdicts = []
    for mutate in MUTATIONS.values():
        document = copy.deepcopy(snapshot_document())
        mutate(document)
        verdicts.append(check(document))
    assert True in verdicts and verdicts.count(False) >= 10


def test_unknown_keyword_is_an_error() -> None:
    with pytest.raises(ValueError, match="oneOf"):
        compile_schema({"oneOf": [{"type": "null"}]})


SMALL_CASES: list[tuple[dict[str, Any], Any]] = [
    ({"type": "integer"}, 1.0),
    ({"type": "integer"}, 1.5),
    ({"type": "integer"}, True),
    ({"type": "number"}, False),
    ({"type": ["string", "null"]}, None),
    ({"enum": [1, "a"]}, 1.0),
    ({"enum": [1, "a"]}, True),
    ({"const": False}, 0),
    ({"pattern": "^a"}, 5),
    ({"minLength": 2}, "a"),
    ({"required": ["a"]}, []),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "b": 2}),
    ({"propertyNames": {"pattern": "^x"}}, {"y": 1}),
]


@pytest.mark.parametrize(
    ("schema", "value"),
    SMALL_CASES,
    ids=[f"{next(iter(s))}-{v!r}" for s, v in SMALL_CASES],
)
def test_keywords_agree_with_jsonschema(schema: dict[str, Any], value: Any) -> None:
    expected = jsonschema.Draft202012Validator(schema).is_valid(value)
    assert compile_schema(schema)(value) is expected
