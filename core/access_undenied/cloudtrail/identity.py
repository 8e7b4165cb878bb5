"""The caller of a CloudTrail record: `userIdentity` parsed into a principal.

Field meanings follow the CloudTrail User Guide, "CloudTrail userIdentity element".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

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
