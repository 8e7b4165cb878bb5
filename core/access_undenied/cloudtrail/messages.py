"""The denial message of a CloudTrail record (`errorMessage`), parsed into fields.

The forms are those AWS writes for denied requests (IAM User Guide, "Troubleshoot
access denied error messages"). Messages are attacker-controlled text: the parser
scans at most `MAX_MESSAGE_LENGTH` characters, splits on literal markers and uses
only anchored regular expressions without nested quantifiers.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import re
from typing import Any

MAX_MESSAGE_LENGTH = 8192


class DenialLayer(str, enum.Enum):
    """The policy layer a message names; values match the engine's `Layer` names."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    PERMISSIONS_BOUNDARY = "permissions_boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"
    VPC_ENDPOINT = "vpc_endpoint"
    # The trust policy is the role's resource-based policy; AWS names it apart.
    ROLE_TRUST = "role_trust"


class ResourceKind(str, enum.Enum):
    """How the message names the resource."""

    NONE = "none"
    ARN = "arn"
    TEXT = "text"
    ROLE_NAME = "role_name"
    USER_NAME = "user_name"
    GROUP_NAME = "group_name"
    ACCESS_KEY = "access_key"
    THIS_RESOURCE = "this_resource"


class MessageForm(str, enum.Enum):
    """Which of the known message shapes the text has."""

    UNKNOWN = "unknown"
    EMPTY = "empty"
    GENERAL = "general"
    ACCESS_THIS_RESOURCE = "access_this_resource"
    EC2_ENCODED_ONLY = "ec2_encoded_only"
    S3_BARE = "s3_bare"
    BLOCK_PUBLIC_ACCESS = "block_public_access"
    PRINCIPAL_NOT_ALLOWED = "principal_not_allowed"
    ACCESS_TO_RESOURCE_DENIED = "access_to_resource_denied"
    NOT_AUTHORIZED_FOR_RESOURCE = "not_authorized_for_resource"
    NO_ACCESS_TO_ANY_RESOURCE = "no_access_to_any_resource"
    VPC_ENDPOINT_DENIED = "vpc_endpoint_denied"
    INVALID_REQUEST = "invalid_request"


@dataclasses.dataclass(frozen=True)
class DenialMessage:
    """What an `errorMessage` says about a denial; absent fields are None."""

    form: MessageForm = MessageForm.UNKNOWN
    principal: str | None = None
    action: str | None = None
    resource: str | None = None
    resource_kind: ResourceKind = ResourceKind.NONE
    layer: DenialLayer | None = None
    explicit: bool | None = None
    policy_arn: str | None = None
    authorization_id: str | None = None
    encoded_message: str | None = None
    encoded_truncated: bool = False
    transitive_scp: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (enums as their string values)."""
        return {
            "form": self.form.value,
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "resource_kind": self.resource_kind.value,
            "layer": self.layer.value if self.layer else None,
            "explicit": self.explicit,
            "policy_arn": self.policy_arn,
            "authorization_id": self.authorization_id,
            "encoded_message": self.encoded_message,
            "encoded_truncated": self.encoded_truncated,
            "transitive_scp": self.transitive_scp,
        }


NO_FIELDS = DenialMessage()

# Error codes AWS writes for a denied request (see denial-messages.md).
DENIAL_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
        "UnauthorizedOperation",
        "Client.UnauthorizedAccess",
        "UnauthorizedAccess",
        "AuthorizationError",
        "Forbidden",
        "VpceAccessDenied",
    }
)

# The layer phrases of "because no <layer> allows" / "explicit deny in a <layer>".
LAYER_PHRASES: dict[str, DenialLayer] = {
    "identity-based policy": DenialLayer.IDENTITY,
    "resource-based policy": DenialLayer.RESOURCE,
    "permissions boundary": DenialLayer.PERMISSIONS_BOUNDARY,
    "session policy": DenialLayer.SESSION,
    "sessions policy": DenialLayer.SESSION,
    "service control policy": DenialLayer.SCP,
    "resource control policy": DenialLayer.RCP,
    "VPC endpoint policy": DenialLayer.VPC_ENDPOINT,
    "role trust policy": DenialLayer.ROLE_TRUST,
}

# Error codes that name the layer themselves (VPC endpoint network-activity events).
ERROR_CODE_LAYERS: dict[str, DenialLayer] = {
    "VpceAccessDenied": DenialLayer.VPC_ENDPOINT,
}

# `on resource: <word> <name>`: IAM names some resources instead of giving an ARN.
NAMED_RESOURCE_PREFIXES: dict[str, ResourceKind] = {
    "role ": ResourceKind.ROLE_NAME,
    "user ": ResourceKind.USER_NAME,
    "group ": ResourceKind.GROUP_NAME,
    "access key ": ResourceKind.ACCESS_KEY,
}

EC2_PREFIX = "You are not authorized to perform this operation."
ENCODED_MARKER = "Encoded authorization failure message:"
AUTHORIZATION_ID_MARKER = "with the following authorization id:"
AUTHORIZATION_GO_TO_MARKER = " Go to https://"
USER_PREFIX = "User: "
PERFORM_MARKER = " is not authorized to perform: "
ACCESS_THIS_RESOURCE = " is not authorized to access this resource"
ON_RESOURCE = " on resource: "
ON_THIS_RESOURCE = " on this resource"
BECAUSE_NO = " because no "
EXPLICIT_DENY = " with an explicit deny in "
# The older form ends the message here, naming no layer (earlier-tool-readme.txt).
EXPLICIT_DENY_ONLY = " with an explicit deny"
BECAUSE_PUBLIC = " because public policies are prevented by the "
TRANSITIVE_SCP = " transitively through a service control policy"

TOKEN_RE = re.compile(r"[A-Za-z0-9_\-=+/]+")
PRINCIPAL_NOT_ALLOWED_RE = re.compile(
    r"Principal \[([^\]\s]{1,2048})\] is not allowed to execute \[([^\]\s]{1,256})\]"
)
ACCESS_TO_RESOURCE_RE = re.compile(r"Access to the resource (\S{1,2048}) is denied\.?")
NOT_AUTHORIZED_RESOURCE_RE = re.compile(
    r"Not authorized to access resource (\S{1,2048})"
)

# Whole-message forms that carry no fields beyond their form.
FIXED_FORMS: dict[str, MessageForm] = {
    "": MessageForm.EMPTY,
    "Access Denied": MessageForm.S3_BARE,
    "Access Denied.": MessageForm.S3_BARE,
    "No access to any requested resource": MessageForm.NO_ACCESS_TO_ANY_RESOURCE,
    "Cross-account pass role is not allowed": MessageForm.INVALID_REQUEST,
    "Cross-account pass role is not allowed.": MessageForm.INVALID_REQUEST,
}


@functools.lru_cache(maxsize=1024)
def parse_denial_message(error_code: str | None, message: str | None) -> DenialMessage:
    """Parse an `errorMessage` into fields; a form it does not know gives no fields.

    Cached: retries repeat the same message, and the result is immutable.
    """
    text = (message or "").strip()[:MAX_MESSAGE_LENGTH]
    text, encoded, truncated = split_encoded_message(text)
    text, authorization_id = split_authorization_id(text)
    parsed = parse_body(text)

    evidence = {
        "encoded_message": encoded,
        "encoded_truncated": truncated,
        "authorization_id": authorization_id,
        "layer": parsed.layer or ERROR_CODE_LAYERS.get(error_code or ""),
    }
    return with_evidence(parsed, evidence)


def with_evidence(parsed: DenialMessage, evidence: dict[str, Any]) -> DenialMessage:
    """Add what was found around the body: the blob, the id, the code's layer."""
    changed = {
        name: value
        for name, value in evidence.items()
        if value != getattr(parsed, name)
    }
    return dataclasses.replace(parsed, **changed) if changed else parsed


def parse_body(text: str) -> DenialMessage:
    """Parse the message once the blob and the authorization id are cut off."""
    fixed_form = FIXED_FORMS.get(text)
    if fixed_form is not None:
        return DenialMessage(form=fixed_form)
    if text.startswith(EC2_PREFIX):
        text = text[len(EC2_PREFIX) :].strip()
        if not text:
            return DenialMessage(form=MessageForm.EC2_ENCODED_ONLY)
    if text.startswith(USER_PREFIX):
        return parse_user_form(text[len(USER_PREFIX) :])
    if text.endswith("is not a valid AWS service name (Service Principal)"):
        return DenialMessage(form=MessageForm.INVALID_REQUEST)
    if text.startswith("The request was denied due to a VPC endpoint policy"):
        return DenialMessage(
            form=MessageForm.VPC_ENDPOINT_DENIED, layer=DenialLayer.VPC_ENDPOINT
        )
    return parse_other_form(text)


def parse_other_form(text: str) -> DenialMessage:
    """The short forms some services write instead of the general one."""
    match = PRINCIPAL_NOT_ALLOWED_RE.match(text)
    if match:
        return DenialMessage(
            form=MessageForm.PRINCIPAL_NOT_ALLOWED,
            principal=match.group(1),
            action=normalize_action(match.group(2)),
        )
    match = ACCESS_TO_RESOURCE_RE.fullmatch(text)
    if match:
        return resource_only(MessageForm.ACCESS_TO_RESOURCE_DENIED, match.group(1))
    match = NOT_AUTHORIZED_RESOURCE_RE.fullmatch(text)
    if match:
        return resource_only(MessageForm.NOT_AUTHORIZED_FOR_RESOURCE, match.group(1))
    return DenialMessage(form=MessageForm.UNKNOWN)


def resource_only(form: MessageForm, resource: str) -> DenialMessage:
    """A message that names only the resource."""
    resource = resource.rstrip(".")
    kind = ResourceKind.ARN if is_arn_or_star(resource) else ResourceKind.TEXT
    return DenialMessage(form=form, resource=resource, resource_kind=kind)


def parse_user_form(text: str) -> DenialMessage:
    """`User: <principal> is not authorized to perform: <action> ...`."""
    principal, sep, rest = text.partition(PERFORM_MARKER)
    if not sep:
        return parse_access_this_resource(text)
    if not principal or " " in principal:
        return DenialMessage(form=MessageForm.UNKNOWN)

    action, _, rest = rest.partition(" ")
    fields: dict[str, Any] = {
        "form": MessageForm.GENERAL,
        "principal": principal,
        "action": normalize_action(action.rstrip(".")),
    }

    rest = " " + rest if rest else ""
    rest = parse_resource_clause(rest, fields)
    parse_reason_clause(rest, fields)
    return DenialMessage(**fields)


def parse_access_this_resource(text: str) -> DenialMessage:
    """`User: <principal> is not authorized to access this resource`."""
    principal, sep, _ = text.partition(ACCESS_THIS_RESOURCE)
    if not sep or not principal or " " in principal:
        return DenialMessage(form=MessageForm.UNKNOWN)
    return DenialMessage(
        form=MessageForm.ACCESS_THIS_RESOURCE,
        principal=principal,
        resource_kind=ResourceKind.THIS_RESOURCE,
    )


def parse_resource_clause(rest: str, fields: dict[str, Any]) -> str:
    """Read `on resource: <r>` or `on this resource`; return the text after it."""
    if rest.startswith(ON_THIS_RESOURCE):
        fields["resource_kind"] = ResourceKind.THIS_RESOURCE
        return rest[len(ON_THIS_RESOURCE) :]
    if not rest.startswith(ON_RESOURCE):
        return rest

    rest = rest[len(ON_RESOURCE) :]
    end = first_marker(rest, (BECAUSE_NO, EXPLICIT_DENY, BECAUSE_PUBLIC))
    resource, rest = rest[:end].strip(), rest[end:]
    if resource.endswith(".") and not rest:
        resource = resource[:-1]
    if not rest and resource.endswith(EXPLICIT_DENY_ONLY):
        resource, rest = resource[: -len(EXPLICIT_DENY_ONLY)], EXPLICIT_DENY_ONLY
    fields.update(classify_resource(resource))
    return rest


def classify_resource(resource: str) -> dict[str, Any]:
    """The resource text and how the message names it (quoted, role name, ...)."""
    if len(resource) >= 2 and resource[0] == resource[-1] == '"':
        resource = resource[1:-1]
    for prefix, kind in NAMED_RESOURCE_PREFIXES.items():
        if resource.startswith(prefix) and not is_arn_or_star(resource):
            return {"resource": resource[len(prefix) :].strip(), "resource_kind": kind}
    kind = ResourceKind.ARN if is_arn_or_star(resource) else ResourceKind.TEXT
    return {"resource": resource or None, "resource_kind": kind}


def parse_reason_clause(rest: str, fields: dict[str, Any]) -> None:
    """Read `because no <layer> allows ...` or `with an explicit deny in a <layer>`."""
    if rest.startswith(BECAUSE_NO):
        fields["explicit"] = False
        phrase = rest[len(BECAUSE_NO) :].partition(" allows ")[0]
        fields["layer"] = LAYER_PHRASES.get(phrase)
    elif rest.startswith(EXPLICIT_DENY):
        fields["explicit"] = True
        parse_explicit_deny(rest[len(EXPLICIT_DENY) :], fields)
    elif rest.rstrip(".") == EXPLICIT_DENY_ONLY:
        fields["explicit"] = True
    elif rest.startswith(BECAUSE_PUBLIC):
        fields["form"] = MessageForm.BLOCK_PUBLIC_ACCESS


def parse_explicit_deny(rest: str, fields: dict[str, Any]) -> None:
    """`a|an|the <layer>[: <policy-arn>][ transitively through a ...]`."""
    for article in ("a ", "an ", "the "):
        if rest.startswith(article):
            rest = rest[len(article) :]
            break
    layer, rest = match_layer(rest)
    fields["layer"] = layer

    if rest.startswith(": "):
        policy_arn, _, rest = rest[2:].partition(" ")
        fields["policy_arn"] = policy_arn.rstrip(".") or None
        rest = " " + rest if rest else ""
    fields["transitive_scp"] = rest.startswith(TRANSITIVE_SCP)


def match_layer(text: str) -> tuple[DenialLayer | None, str]:
    """The layer phrase at the start of `text`, and the text after it."""
    for phrase, layer in LAYER_PHRASES.items():
        if text.startswith(phrase):
            return layer, text[len(phrase) :]
    return None, text


def split_encoded_message(text: str) -> tuple[str, str | None, bool]:
    """Cut off EC2's encoded authorization message; say whether it was truncated."""
    head, sep, tail = text.partition(ENCODED_MARKER)
    if not sep:
        return text, None, False
    tail = tail.strip()
    truncated = tail.endswith("...")
    if truncated:
        tail = tail[:-3]
    match = TOKEN_RE.match(tail)
    blob = match.group(0) if match else None
    return head.strip(), blob, truncated


def split_authorization_id(text: str) -> tuple[str, str | None]:
    """Cut off the authorization id suffix of IAM's access troubleshooting."""
    head, sep, tail = text.partition(AUTHORIZATION_ID_MARKER)
    if not sep:
        return text, None
    match = TOKEN_RE.match(tail.strip())
    go_to = head.find(AUTHORIZATION_GO_TO_MARKER)
    head = head[:go_to] if go_to >= 0 else head
    return head.strip(), match.group(0) if match else None


def first_marker(text: str, markers: tuple[str, ...]) -> int:
    """Position of the first of `markers` in `text`, or its length."""
    first = len(text)
    for marker in markers:
        position = text.find(marker, 0, first)
        if position >= 0:
            first = position
    return first


def is_arn_or_star(text: str) -> bool:
    """True for an ARN or the `*` wildcard."""
    return text == "*" or text.startswith("arn:")


def normalize_action(action: str) -> str | None:
    """`SNS:Publish` -> `sns:Publish`: IAM service prefixes are lower case."""
    prefix, sep, name = action.partition(":")
    if not sep or not prefix or not name:
        return None
    return f"{prefix.lower()}:{name}"


def is_denial_code(error_code: object) -> bool:
    """True where `errorCode` is one AWS writes for a denied request."""
    return isinstance(error_code, str) and error_code in DENIAL_ERROR_CODES
