"""The calling principal, and matching it against `Principal` / `NotPrincipal`.

IAM rules (IAM User Guide, "AWS JSON policy elements: Principal" and "NotPrincipal"):
`"*"` and `{"AWS": "*"}` match everyone, anonymous callers too; an account id or
`arn:aws:iam::ACCT:root` matches every principal of that account; a role ARN matches
the role and all its sessions; an assumed-role session ARN matches only that session;
`Service`, `Federated` and `CanonicalUser` match callers of those kinds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from access_undenied.policy.arn import parse_arn
from access_undenied.policy.model import PrincipalBlock

ANONYMOUS = "anonymous"
SERVICE_LINKED_PATH = "/aws-service-role/"
_FEDERATED_SERVICES = frozenset({"cognito-identity.amazonaws.com"})


class PrincipalKind(str, enum.Enum):
    """What kind of caller made the request."""

    ROOT = "root"
    USER = "user"
    ROLE = "role"
    ASSUMED_ROLE = "assumed_role"
    FEDERATED_USER = "federated_user"
    SERVICE = "service"
    FEDERATED = "federated"
    CANONICAL_USER = "canonical_user"
    ANONYMOUS = "anonymous"
    UNKNOWN = "unknown"


class GrantKind(enum.IntEnum):
    """How directly a matching Principal entry names the caller (higher: more)."""

    NONE = 0
    ANY = 1
    ACCOUNT = 2
    ROLE = 3
    DIRECT = 4


IAM_KINDS = frozenset(
    {
        PrincipalKind.ROOT,
        PrincipalKind.USER,
        PrincipalKind.ROLE,
        PrincipalKind.ASSUMED_ROLE,
        PrincipalKind.FEDERATED_USER,
    }
)


@dataclass(frozen=True)
class CallerPrincipal:
    """The caller, parsed from its ARN or name, with the names policies may use."""

    text: str
    kind: PrincipalKind
    account: str | None = None
    role_name: str | None = None
    role_path: str | None = None
    partition: str = "aws"

    @property
    def is_iam(self) -> bool:
        """True for IAM principals, the ones identity policies and SCPs govern."""
        return self.kind in IAM_KINDS

    @property
    def is_service_linked_role(self) -> bool:
        """True for a service-linked role or its session (exempt from SCPs)."""
        path = self.role_path or ""
        return path.startswith(SERVICE_LINKED_PATH) or (
            self.role_path is None
            and self.kind is PrincipalKind.ASSUMED_ROLE
            and (self.role_name or "").startswith("AWSServiceRoleFor")
        )

    @property
    def root_arn(self) -> str | None:
        """`arn:aws:iam::ACCT:root` for the caller's account."""
        if self.account is None:
            return None
        return f"arn:{self.partition}:iam::{self.account}:root"

    @property
    def principal_arn(self) -> str:
        """`aws:PrincipalArn`: the role ARN for a session, else the caller's ARN."""
        if self.kind is PrincipalKind.ASSUMED_ROLE and self.role_name:
            return f"arn:{self.partition}:iam::{self.account}:role/{self.role_name}"
        return self.text


def parse_caller(text: str) -> CallerPrincipal:
    """Classify the caller: an IAM ARN, a service principal, or `anonymous`."""
    if text == ANONYMOUS or text == "*":
        return CallerPrincipal(text, PrincipalKind.ANONYMOUS)
    arn = parse_arn(text)
    if arn is None:
        return _non_arn_caller(text)

    account = arn.account or None
    kind, path, role = _iam_kind(arn.service, arn.resource)
    return CallerPrincipal(text, kind, account, role, path, arn.partition)


def _non_arn_caller(text: str) -> CallerPrincipal:
    if text.isdigit() and len(text) == 12:
        return CallerPrincipal(text, PrincipalKind.ROOT, text)
    if text.endswith(".amazonaws.com") and text not in _FEDERATED_SERVICES:
        return CallerPrincipal(text, PrincipalKind.SERVICE)
    if len(text) == 64 and all(char in "0123456789abcdef" for char in text):
        return CallerPrincipal(text, PrincipalKind.CANONICAL_USER)
    return CallerPrincipal(text, PrincipalKind.FEDERATED)


def _iam_kind(
    service: str, resource: str
) -> tuple[PrincipalKind, str | None, str | None]:
    """(kind, role path, role name) from an IAM or STS ARN's resource part."""
    resource_type, _, rest = resource.partition("/")
    if service == "iam" and resource == "root":
        return PrincipalKind.ROOT, None, None
    if service == "iam" and resource_type == "user":
        return PrincipalKind.USER, None, None
    if service == "iam" and resource_type == "role":
        path, _, name = rest.rpartition("/")
        return PrincipalKind.ROLE, f"/{path}/" if path else "/", name
    if service == "iam" and resource_type in ("saml-provider", "oidc-provider"):
        return PrincipalKind.FEDERATED, None, None
    if service == "sts" and resource_type == "assumed-role":
        return PrincipalKind.ASSUMED_ROLE, None, rest.split("/", 1)[0]
    if service == "sts" and resource_type == "federated-user":
        return PrincipalKind.FEDERATED_USER, None, None
    return PrincipalKind.UNKNOWN, None, None


def match_principal(block: PrincipalBlock, caller: CallerPrincipal) -> GrantKind:
    """How the block names the caller; GrantKind.NONE if it does not."""
    if block.wildcard:
        return GrantKind.ANY
    if caller.kind is PrincipalKind.SERVICE:
        return _grant_if(caller.text in block.service)
    if caller.kind is PrincipalKind.FEDERATED:
        return _grant_if(caller.text in block.federated)
    if caller.kind is PrincipalKind.CANONICAL_USER:
        return _grant_if(caller.text in block.canonical_user)
    return max(
        (_match_aws_entry(entry, caller) for entry in block.aws),
        default=GrantKind.NONE,
    )


def _grant_if(found: bool) -> GrantKind:
    return GrantKind.DIRECT if found else GrantKind.NONE


def _match_aws_entry(entry: str, caller: CallerPrincipal) -> GrantKind:
    if entry == "*":
        return GrantKind.ANY
    if caller.account is None:
        return GrantKind.NONE
    if entry == caller.account or entry == caller.root_arn:
        direct = caller.kind is PrincipalKind.ROOT
        return GrantKind.DIRECT if direct else GrantKind.ACCOUNT
    if entry == caller.text:
        role = caller.kind is PrincipalKind.ROLE
        return GrantKind.ROLE if role else GrantKind.DIRECT
    return _match_role_entry(entry, caller)


def _match_role_entry(entry: str, caller: CallerPrincipal) -> GrantKind:
    """A role ARN entry (any path) matches the role and each of its sessions."""
    if caller.role_name is None:
        return GrantKind.NONE
    arn = parse_arn(entry)
    if arn is None or arn.service != "iam" or arn.account != caller.account:
        return GrantKind.NONE
    resource_type, _, rest = arn.resource.partition("/")
    if resource_type != "role" or rest.rpartition("/")[2] != caller.role_name:
        return GrantKind.NONE
    return GrantKind.ROLE
