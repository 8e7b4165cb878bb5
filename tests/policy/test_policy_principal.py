"""Principal / NotPrincipal matching and caller classification."""

from __future__ import annotations

import pytest
from access_undenied.policy.model import PrincipalBlock
from access_undenied.policy.principal import (
    GrantKind,
    PrincipalKind,
    match_principal,
    parse_caller,
)

ACCT = "111122223333"
USER = f"arn:aws:iam::{ACCT}:user/alice"
ROLE = f"arn:aws:iam::{ACCT}:role/app"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/app/s1"

CASES = [
    ("star-any-user", PrincipalBlock(True), USER, GrantKind.ANY),
    ("star-anonymous", PrincipalBlock(True), "anonymous", GrantKind.ANY),
    ("star-service", PrincipalBlock(True), "s3.amazonaws.com", GrantKind.ANY),
    ("aws-star", PrincipalBlock(True, aws=("*",)), "anonymous", GrantKind.ANY),
    ("account-id", PrincipalBlock(False, aws=(ACCT,)), USER, GrantKind.ACCOUNT),
    (
        "account-root",
        PrincipalBlock(False, aws=(f"arn:aws:iam::{ACCT}:root",)),
        SESSION,
        GrantKind.ACCOUNT,
    ),
    (
        "other-account",
        PrincipalBlock(False, aws=("444455556666",)),
        USER,
        GrantKind.NONE,
    ),
    ("user-arn", PrincipalBlock(False, aws=(USER,)), USER, GrantKind.DIRECT),
    (
        "user-arn-tampered",
        PrincipalBlock(False, aws=(USER + "x",)),
        USER,
        GrantKind.NONE,
    ),
    ("role-arn-session", PrincipalBlock(False, aws=(ROLE,)), SESSION, GrantKind.ROLE),
    (
        "role-arn-with-path",
        PrincipalBlock(False, aws=(f"arn:aws:iam::{ACCT}:role/team/app",)),
        SESSION,
        GrantKind.ROLE,
    ),
    ("role-arn-role-caller", PrincipalBlock(False, aws=(ROLE,)), ROLE, GrantKind.ROLE),
    ("session-arn", PrincipalBlock(False, aws=(SESSION,)), SESSION, GrantKind.DIRECT),
    (
        "other-session",
        PrincipalBlock(False, aws=(SESSION + "x",)),
        SESSION,
        GrantKind.NONE,
    ),
    (
        "session-arn-not-role",
        PrincipalBlock(False, aws=(SESSION,)),
        ROLE,
        GrantKind.NONE,
    ),
    ("role-arn-not-user", PrincipalBlock(False, aws=(ROLE,)), USER, GrantKind.NONE),
    (
        "service",
        PrincipalBlock(False, service=("s3.amazonaws.com",)),
        "s3.amazonaws.com",
        GrantKind.DIRECT,
    ),
    (
        "service-other",
        PrincipalBlock(False, service=("sns.amazonaws.com",)),
        "s3.amazonaws.com",
        GrantKind.NONE,
    ),
    (
        "service-not-aws",
        PrincipalBlock(False, aws=(ACCT,)),
        "s3.amazonaws.com",
        GrantKind.NONE,
    ),
    (
        "federated",
        PrincipalBlock(False, federated=("cognito-identity.amazonaws.com",)),
        "cognito-identity.amazonaws.com",
        GrantKind.DIRECT,
    ),
    (
        "canonical",
        PrincipalBlock(False, canonical_user=("a" * 64,)),
        "a" * 64,
        GrantKind.DIRECT,
    ),
    (
        "anonymous-not-account",
        PrincipalBlock(False, aws=(ACCT,)),
        "anonymous",
        GrantKind.NONE,
    ),
    (
        "federated-user",
        PrincipalBlock(False, aws=(f"arn:aws:sts::{ACCT}:federated-user/bob",)),
        f"arn:aws:sts::{ACCT}:federated-user/bob",
        GrantKind.DIRECT,
    ),
    (
        "root-caller-by-account",
        PrincipalBlock(False, aws=(ACCT,)),
        f"arn:aws:iam::{ACCT}:root",
        GrantKind.DIRECT,
    ),
]


@pytest.mark.parametrize(
    ("block", "caller", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_principal_table(
    block: PrincipalBlock, caller: str, expected: GrantKind
) -> None:
    assert match_principal(block, parse_caller(caller)) is expected


@pytest.mark.parametrize(
    ("text", "kind", "account"),
    [
        (USER, PrincipalKind.USER, ACCT),
        (ROLE, PrincipalKind.ROLE, ACCT),
        (SESSION, PrincipalKind.ASSUMED_ROLE, ACCT),
        (f"arn:aws:iam::{ACCT}:root", PrincipalKind.ROOT, ACCT),
        (f"arn:aws:sts::{ACCT}:federated-user/bob", PrincipalKind.FEDERATED_USER, ACCT),
        ("s3.amazonaws.com", PrincipalKind.SERVICE, None),
        ("anonymous", PrincipalKind.ANONYMOUS, None),
        (f"arn:aws:iam::{ACCT}:saml-provider/idp", PrincipalKind.FEDERATED, ACCT),
    ],
    ids=[
        "user",
        "role",
        "session",
        "root",
        "federated-user",
        "service",
        "anonymous",
        "saml",
    ],
)
def test_caller_kinds(text: str, kind: PrincipalKind, account: str | None) -> None:
    caller = parse_caller(text)
    assert caller.kind is kind
    assert caller.account == account


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"arn:aws:iam::{ACCT}:role/aws-service-role/"
            "elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing",
            True,
        ),
        (f"arn:aws:sts::{ACCT}:assumed-role/AWSServiceRoleForECS/ecs", True),
        (ROLE, False),
        (SESSION, False),
    ],
    ids=["slr-role", "slr-session", "role", "session"],
)
def test_service_linked_role(text: str, expected: bool) -> None:
    assert parse_caller(text).is_service_linked_role is expected


def test_session_principal_arn_is_role_arn() -> None:
    assert parse_caller(SESSION).principal_arn == ROLE
