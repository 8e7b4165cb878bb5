"""The 51 real CloudTrail denials beside the project all rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
from access_undenied.cloudtrail import (
    ReadError,
    ReadStats,
    RecordItem,
    Request,
    build_request,
    iter_denials,
)
from access_undenied.cloudtrail.arns import format_pattern

INSTANCE = format_pattern(
    "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}"
)
ROLE = format_pattern("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}")


def rebuild_samples(folder: Path) -> list[tuple[RecordItem, Request]]:
    """Every sample record with its rebuilt request."""
    stats = ReadStats()
    pairs = []
    for path in sorted(folder.glob("*.json")):
        for item in iter_denials(path, stats):
            assert not isinstance(item, ReadError), str(item)
            pairs.append((item, build_request(item.record)))
    return pairs


def test_all_51_records_rebuild(real_samples: Path) -> None:
    pairs = rebuild_samples(real_samples)

    assert len(pairs) == 51
    assert all(request.actions and request.resources for _, request in pairs)


def test_each_ec2_record_gets_its_action_and_an_instance_arn(
    real_samples: Path,
) -> None:
    ec2 = [
        (item, request)
        for item, request in rebuild_samples(real_samples)
        if item.record["eventSource"] == "ec2.amazonaws.com"
    ]

    assert len(ec2) == 46
    for item, request in ec2:
        assert request.action == f"ec2:{item.record['eventName']}"
        assert INSTANCE.fullmatch(request.resource or "")


def test_each_assume_role_record_gets_the_role_arn(real_samples: Path) -> None:
    assume = [
        (item, request)
        for item, request in rebuild_samples(real_samples)
        if item.record["eventName"] == "AssumeRole"
    ]

    assert len(assume) == 4
    for _, request in assume:
        assert request.actions == ("sts:AssumeRole",)
        assert ROLE.fullmatch(request.resource or "")
        assert request.principal.user_name == "christophe"


def test_the_organizations_record(real_samples: Path) -> None:
    (request,) = [
        request
        for item, request in rebuild_samples(real_samples)
        if item.record["eventName"] == "LeaveOrganization"
    ]

    assert request.actions == ("organizations:LeaveOrganization",)
    assert request.resources == ("*",)


@pytest.mark.parametrize("truncated", [True, False], ids=["truncated", "whole"])
def test_encoded_messages_and_truncation(real_samples: Path, truncated: bool) -> None:
    requests = [request for _, request in rebuild_samples(real_samples)]

    with_blob = [r for r in requests if r.message.encoded_message]
    matching = [r for r in with_blob if r.message.encoded_truncated is truncated]

    assert len(with_blob) == 46
    assert matching, "the samples hold both truncated and whole blobs"
