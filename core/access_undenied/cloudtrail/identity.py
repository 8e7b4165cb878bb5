"""The caller of a CloudTrail record: `userIdentity` parsed into a principal.

Field meanings follow the CloudTrail User Guide, "CloudTrail userIdentity element".
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

ANONYMOUS = "anonymous"


class PrincipalType(str, enum.Enum):
    """The `userIdentity.type` values CloudTrail writes, plus anonymous."""

    IAM_USER = "IAMUser"
    ASSUMED_ROLE = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    ROOT = "Root"
    AWS_ACCOUNT = "AWSAccount"
    AWS_SERVICE = "AWSService"
    IDENTITY_CENTER_USER = "IdentityCenterUser"
    SAML_USER = "SAMLUser"
    WEB_IDENTITY_USER = "WebIdentityUser"
    DIRECTORY = "Directory"
    ANONYMOUS = "Anonymous"
    UNKNOWN = "Unknown"


@dataclass(frozen=True)
class CallerIdentity:
    """The principal that made the request, as CloudTrail recorded it."""

    type: PrincipalType
    arn: str | None = None
    account_id: str | None = None
    principal_id: str | None = None
    user_name: str | None = None
    issuer_arn: str | None = None
    issuer_type: str | None = None
    session_name: str | None = None
    service: str | None = None
    identity_provider: str | None = None
    mfa_authenticated: bool | None = None
    session_created: str | None = None
    source_identity: str | None = None

    @property
    def is_anonymous(self) -> bool:
        """True for unauthenticated callers (S3 anonymous requests and the like)."""
        return self.type is PrincipalType.ANONYMOUS

    @property
    def policy_principal(self) -> str | None:
        """The principal to evaluate: ARN, service principal or `anonymous`."""
        if self.type is PrincipalType.ANONYMOUS:
            return ANONYMOUS
        if self.type is PrincipalType.AWS_SERVICE:
            return self.service
        return self.arn

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values."""
        return {
            "type": self.type.value,
            "arn": self.arn,
            "account_id": self.account_id,
            "principal_id": self.principal_id,
            "user_name": self.user_name,
            "issuer_arn": self.issuer_arn,
            "issuer_type": self.issuer_type,
            "session_name": self.session_name,
            "service": self.service,
            "identity_provider": self.identity_provider,
            "mfa_authenticated": self.mfa_authenticated,
            "session_created": self.session_created,
            "source_identity": self.source_identity,
        }


ANONYMOUS_PRINCIPAL_ID = "ANONYMOUS_PRINCIPAL"
BOOLEANS = {"true": True, "false": False}
EMPTY: Mapping[str, Any] = {}
IDENTITY_CENTER_ROLE_PATH = ":role/aws-reserved/sso.amazonaws.com/"


def text_field(mapping: Mapping[str, Any], key: str) -> str | None:
    """A non-empty string member, or None."""
    value = mapping.get(key)
    return value if type(value) is str and value else None


def object_field(mapping: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """An object member, or an empty mapping."""
    value = mapping.get(key)
    return value if type(value) is dict else EMPTY


def parse_user_identity(identity: object) -> CallerIdentity:
    """The caller from a record's `userIdentity`; absent means anonymous."""
    if not isinstance(identity, dict) or not identity:
        return CallerIdentity(type=PrincipalType.ANONYMOUS)
    if is_anonymous_identity(identity):
        return CallerIdentity(
            type=PrincipalType.ANONYMOUS,
            account_id=None,
            principal_id=ANONYMOUS,
        )

    type_name = identity.get("type")
    principal_type = (
        PRINCIPAL_TYPES.get(type_name, PrincipalType.UNKNOWN)
        if type(type_name) is str
        else PrincipalType.UNKNOWN
    )
    session = object_field(identity, "sessionContext")
    fields = base_identity(identity, session, principal_type)
    parse_details = DETAIL_PARSERS.get(principal_type)
    if parse_details:
        fields.update(parse_details(identity, session))
    return CallerIdentity(**fields)


def is_anonymous_identity(identity: Mapping[str, Any]) -> bool:
    """S3's `ANONYMOUS_PRINCIPAL`, or type `Unknown` without an ARN."""
    ids = (identity.get("accountId"), identity.get("principalId"))
    if ANONYMOUS_PRINCIPAL_ID in ids:
        return True
    return identity.get("type") == "Unknown" and not text_field(identity, "arn")


def base_identity(
    identity: Mapping[str, Any],
    session: Mapping[str, Any],
    principal_type: PrincipalType,
) -> dict[str, Any]:
    """The members every identity type may carry."""
    attributes = object_field(session, "attributes")
    return {
        "type": principal_type,
        "arn": text_field(identity, "arn"),
        "account_id": text_field(identity, "accountId"),
        "principal_id": text_field(identity, "principalId"),
        "user_name": text_field(identity, "userName"),
        "service": text_field(identity, "invokedBy"),
        "mfa_authenticated": parse_bool(attributes.get("mfaAuthenticated")),
        "session_created": text_field(attributes, "creationDate"),
        "source_identity": text_field(session, "sourceIdentity"),
        "identity_provider": text_field(identity, "identityProvider"),
    }


def parse_session(
    identity: Mapping[str, Any], session: Mapping[str, Any]
) -> dict[str, Any]:
    """Role and federated-user sessions: the issuer and the session name."""
    issuer = object_field(session, "sessionIssuer")
    web_identity = object_field(session, "webIdFederationData")
    arn = text_field(identity, "arn") or ""
    details: dict[str, Any] = {
        "issuer_arn": text_field(issuer, "arn"),
        "issuer_type": text_field(issuer, "type"),
        "user_name": text_field(issuer, "userName"),
        "session_name": arn.rpartition("/")[2] or None,
    }
    provider = text_field(web_identity, "federatedProvider")
    if provider:
        details["identity_provider"] = provider
    return details


def parse_root(identity: Mapping[str, Any], _: Mapping[str, Any]) -> dict[str, Any]:
    """The root user: its ARN is `arn:<partition>:iam::<account>:root`."""
    account = text_field(identity, "accountId")
    if text_field(identity, "arn") or not account:
        return {}
    return {"arn": f"arn:aws:iam::{account}:root"}


def parse_service(identity: Mapping[str, Any], _: Mapping[str, Any]) -> dict[str, Any]:
    """An AWS service principal, named by `invokedBy`."""
    return {"service": text_field(identity, "invokedBy")}


def parse_bool(value: object) -> bool | None:
    """CloudTrail's "true"/"false" strings (or booleans) as a bool."""
    if isinstance(value, bool):
        return value
    return BOOLEANS.get(value.lower()) if isinstance(value, str) else None


def is_identity_center_role(issuer_arn: str | None) -> bool:
    """True for a role that IAM Identity Center created (`AWSReservedSSO_...`)."""
    return bool(issuer_arn) and IDENTITY_CENTER_ROLE_PATH in str(issuer_arn)


PRINCIPAL_TYPES: dict[str, PrincipalType] = {
    member.value: member for member in PrincipalType
}

DetailParser = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
DETAIL_PARSERS: dict[PrincipalType, DetailParser] = {
    PrincipalType.ASSUMED_ROLE: parse_session,
    PrincipalType.FEDERATED_USER: parse_session,
    PrincipalType.ROOT: parse_root,
    PrincipalType.AWS_SERVICE: parse_service,
}
