"""`parse_user_identity`: a principal for every `userIdentity.type`."""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.cloudtrail.identity import (
    CallerIdentity,
    PrincipalType,
    is_identity_center_role,
    parse_user_identity,
)

SSO_ROLE = (
    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/"
    "AWSReservedSSO_Admin_0123456789abcdef"
)

# (id, userIdentity, expected fields)
IDENTITIES: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "iam-user",
        {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333",
            "userName": "alice",
        },
        {
            "type": PrincipalType.IAM_USER,
            "arn": "arn:aws:iam::111122223333:user/alice",
            "user_name": "alice",
            "policy_principal": "arn:aws:iam::111122223333:user/alice",
        },
    ),
    (
        "assumed-role",
        {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:s1",
            "arn": "arn:aws:sts::111122223333:assumed-role/app/s1",
            "accountId": "111122223333",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": "arn:aws:iam::111122223333:role/app",
                    "userName": "app",
                },
                "attributes": {
                    "creationDate": "2024-01-01T00:00:00Z",
                    "mfaAuthenticated": "true",
                },
            },
        },
        {
            "type": PrincipalType.ASSUMED_ROLE,
            "arn": "arn:aws:sts::111122223333:assumed-role/app/s1",
            "issuer_arn": "arn:aws:iam::111122223333:role/app",
            "session_name": "s1",
            "user_name": "app",
            "mfa_authenticated": True,
            "session_created": "2024-01-01T00:00:00Z",
        },
    ),
    (
        "identity-center-role",
        {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/"
            "AWSReservedSSO_Admin_0123456789abcdef/jane@example.com",
            "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": SSO_ROLE}},
        },
        {
            "type": PrincipalType.ASSUMED_ROLE,
            "issuer_arn": SSO_ROLE,
            "session_name": "jane@example.com",
        },
    ),
    (
        "web-identity-role",
        {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/ci/gh-run",
            "accountId": "111122223333",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": "arn:aws:iam::111122223333:role/ci",
                },
                "webIdFederationData": {
                    "federatedProvider": "arn:aws:iam::111122223333:oidc-provider/"
                    "token.actions.githubusercontent.com"
                },
            },
        },
        {
            "issuer_arn": "arn:aws:iam::111122223333:role/ci",
            "identity_provider": "arn:aws:iam::111122223333:oidc-provider/"
            "token.actions.githubusercontent.com",
        },
    ),
    (
        "federated-user",
        {
            "type": "FederatedUser",
            "principalId": "111122223333:bob",
            "arn": "arn:aws:sts::111122223333:federated-user/bob",
            "accountId": "111122223333",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "IAMUser",
                    "arn": "arn:aws:iam::111122223333:user/broker",
                    "userName": "broker",
                }
            },
        },
        {
            "type": PrincipalType.FEDERATED_USER,
            "arn": "arn:aws:sts::111122223333:federated-user/bob",
            "issuer_arn": "arn:aws:iam::111122223333:user/broker",
            "issuer_type": "IAMUser",
            "session_name": "bob",
        },
    ),
    (
        "root",
        {"type": "Root", "principalId": "111122223333", "accountId": "111122223333"},
        {
            "type": PrincipalType.ROOT,
            "arn": "arn:aws:iam::111122223333:root",
            "account_id": "111122223333",
        },
    ),
    (
        "aws-account-cross-account",
        {"type": "AWSAccount", "principalId": "AIDAOTHER", "accountId": "444455556666"},
        {
            "type": PrincipalType.AWS_ACCOUNT,
            "arn": None,
            "account_id": "444455556666",
            "principal_id": "AIDAOTHER",
            "policy_principal": None,
        },
    ),
    (
        "aws-service",
        {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        {
            "type": PrincipalType.AWS_SERVICE,
            "service": "cloudtrail.amazonaws.com",
            "policy_principal": "cloudtrail.amazonaws.com",
        },
    ),
    (
        "identity-center-user",
        {
            "type": "IdentityCenterUser",
            "accountId": "111122223333",
            "onBehalfOf": {
                "userId": "u-1",
                "identityStoreArn": "arn:aws:identitystore::1:identitystore/d-1",
            },
        },
        {"type": PrincipalType.IDENTITY_CENTER_USER, "arn": None},
    ),
    (
        "saml-user",
        {
            "type": "SAMLUser",
            "principalId": "SAMLIssuer:jane",
            "userName": "jane",
            "identityProvider": "ABCDEF=",
        },
        {
            "type": PrincipalType.SAML_USER,
            "user_name": "jane",
            "identity_provider": "ABCDEF=",
        },
    ),
    (
        "web-identity-user",
        {
            "type": "WebIdentityUser",
            "principalId": "accounts.google.com:app:user",
            "userName": "user",
            "identityProvider": "accounts.google.com",
        },
        {
            "type": PrincipalType.WEB_IDENTITY_USER,
            "identity_provider": "accounts.google.com",
        },
    ),
    (
        "s3-anonymous",
        {"type": "AWSAccount", "principalId": "", "accountId": "ANONYMOUS_PRINCIPAL"},
        {"type": PrincipalType.ANONYMOUS, "policy_principal": "anonymous"},
    ),
    (
        "unknown-without-arn",
        {"type": "Unknown", "principalId": "", "userName": "HIDDEN_DUE_TO_SECURITY"},
        {"type": PrincipalType.ANONYMOUS, "is_anonymous": True},
    ),
    (
        "unknown-with-arn",
        {"type": "Unknown", "arn": "arn:aws:iam::111122223333:user/x"},
        {"type": PrincipalType.UNKNOWN, "arn": "arn:aws:iam::111122223333:user/x"},
    ),
    ("absent", None, {"type": PrincipalType.ANONYMOUS}),
    ("not-an-object", ["IAMUser"], {"type": PrincipalType.ANONYMOUS}),
    (
        "unlisted-type",
        {"type": "Martian", "arn": "arn:aws:iam::1:user/m"},
        {"type": PrincipalType.UNKNOWN},
    ),
]


@pytest.mark.parametrize(
    ("identity", "expected"),
    [pytest.param(identity, fields, id=name) for name, identity, fields in IDENTITIES],
)
def test_each_identity_type(identity: Any, expected: dict[str, Any]) -> None:
    caller = parse_user_identity(identity)

    assert isinstance(caller, CallerIdentity)
    assert {name: getattr(caller, name) for name in expected} == expected


@pytest.mark.parametrize(
    ("issuer_arn", "expected"),
    [
        pytest.param(SSO_ROLE, True, id="sso-role"),
        pytest.param("arn:aws:iam::111122223333:role/app", False, id="plain-role"),
        pytest.param(None, False, id="none"),
    ],
)
def test_identity_center_roles_are_recognised(
    issuer_arn: str | None, expected: bool
) -> None:
    assert is_identity_center_role(issuer_arn) is expected
