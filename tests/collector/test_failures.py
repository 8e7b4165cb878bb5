"""A throttled call is retried; a role that cannot be assumed and a denied service
are recorded in `collection_errors`, and nothing else is lost."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.snapshot import Snapshot, collect_aws
from access_undenied.snapshot.collect import (
    CollectError,
    CollectOptions,
    collect_snapshot,
)
from access_undenied.snapshot.collect_aws import default_session_factory
from fake_aws import Interceptor, json_error, query_error
from moto_world import World

pytestmark = pytest.mark.slow


def errors_of(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (e["account_id"], e["service"], e["operation"], e["error_code"], e["region"])
        for e in document["collection_errors"]
    ]


def test_throttled_call_is_retried(session: Any, world: World) -> None:
    throttle = Interceptor(lambda: query_error(400, "Throttling", "Rate exceeded"), 1)
    session.events.register("before-send.iam.GetAccountAuthorizationDetails", throttle)

    document = collect_snapshot(session)

    assert throttle.faked == 1 and throttle.seen == 2
    assert errors_of(document) == []
    snapshot = Snapshot.from_document(document)
    assert snapshot.principal(f"arn:aws:iam::{world.management}:user/alice")


def test_throttling_that_never_ends_is_recorded(
    session: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three attempts instead of ten: the backoff between them is real time.
    monkeypatch.setattr(collect_aws, "MAX_ATTEMPTS", 3)
    throttle = Interceptor(lambda: query_error(400, "Throttling", "Rate exceeded"))
    session.events.register("before-send.iam.GetAccountAuthorizationDetails", throttle)

    document = collect_snapshot(session)

    assert throttle.faked == 3
    assert errors_of(document) == [
        (world.management, "iam", "GetAccountAuthorizationDetails", "Throttling", None)
    ]
    assert document["accounts"] == {}
    assert "arn:aws:s3:::mgmt-data" in document["resource_policies"]


def test_role_that_cannot_be_assumed(session: Any, world: World) -> None:
    refuse = Interceptor(
        lambda: query_error(403, "AccessDenied", "not authorized to assume"),
        body_contains=world.dev,
    )
    session.events.register("before-send.sts.AssumeRole", refuse)

    document = collect_snapshot(session, CollectOptions(all_accounts=True))

    assert errors_of(document) == [
        (world.dev, "sts", "AssumeRole", "AccessDenied", None)
    ]
    assert sorted(document["accounts"]) == sorted([world.management, world.prod])
    assert set(document["resource_policies"]) == set(world.resources.values())
    organization = Snapshot.from_document(document).organization
    assert organization is not None and organization.contains(world.dev)


def test_service_that_answers_access_denied(session: Any, world: World) -> None:
    denied = Interceptor(lambda: json_error(400, "AccessDeniedException", "no"))
    build = default_session_factory(session)

    def factory(credentials: dict[str, Any], region: str | None) -> Any:
        assumed = build(credentials, region)
        assumed.events.register("before-send.kms.ListKeys", denied)
        return assumed

    document = collect_snapshot(
        session, CollectOptions(accounts=(world.prod,)), session_factory=factory
    )

    assert errors_of(document) == [
        (world.prod, "kms", "ListKeys", "AccessDeniedException", "us-east-1")
    ]
    expected = {
        arn for name, arn in world.resources.items() if name not in ("kms", "s3-mgmt")
    }
    assert set(document["resource_policies"]) == expected
    assert list(document["accounts"]) == [world.prod]


def test_organization_not_in_use_is_not_an_error(session: Any, world: World) -> None:
    absent = Interceptor(
        lambda: json_error(400, "AWSOrganizationsNotInUseException", "none")
    )
    session.events.register("before-send.organizations.DescribeOrganization", absent)

    document = collect_snapshot(session)

    assert document["organization"] is None
    assert errors_of(document) == []
    with pytest.raises(CollectError, match="--all-accounts needs"):
        collect_snapshot(session, CollectOptions(all_accounts=True))


def test_organization_denied_is_recorded(session: Any, world: World) -> None:
    denied = Interceptor(lambda: json_error(400, "AccessDeniedException", "no"))
    session.events.register("before-send.organizations.ListRoots", denied)

    document = collect_snapshot(session)

    assert document["organization"] is None
    assert errors_of(document) == [
        (world.management, "organizations", "ListRoots", "AccessDeniedException", None)
    ]
    assert list(document["accounts"]) == [world.management]


def test_no_credentials_stop_before_collecting(session: Any, world: World) -> None:
    invalid = Interceptor(lambda: query_error(403, "InvalidClientTokenId", "bad"))
    session.events.register("before-send.sts.GetCallerIdentity", invalid)
    with pytest.raises(CollectError, match="check --profile"):
        collect_snapshot(session)
