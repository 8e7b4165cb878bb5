"""Hypothesis strategies for hostile and broken input.

Each strategy draws what an attacker or a broken export can put in front of the tool:
JSON of any shape, bytes that are almost JSON, gzip cut short, text built from the
markers of AWS's denial messages, policies of any shape and policies written to be
slow to match.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from hypothesis import strategies as st

# --- JSON values -------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
HOSTILE_TEXT = st.sampled_from(
    [
        "",
        "*",
        "?",
        "arn:",
        "arn:aws:iam::123456789012:role/*",
        "../../../../etc/passwd",
        "/etc/shadow",
        "${aws:username}",
        "${",
        "%7B%22a%22",
        "__import__('os').system('id')",
        "\x00\ud800",
        "\u202e",
        "A" * 10_000,
        "é" * 3_000,
    ]
)
JSON_VALUES = st.recursive(
    SCALARS | HOSTILE_TEXT,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)
# Values of a type other than the one CloudTrail writes for most fields.
WRONG_TYPES = st.sampled_from(
    [None, True, 0, -1, 1.5, "", "x", [], [None], {}, {"a": 1}, [[[]]], "A" * 5000]
)


def nested(depth: int, opener: str = "[") -> bytes:
    """JSON text nested `depth` levels deep, closed or not."""
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "{":
        return (('{"a":' * depth) + "1" + ("}" * depth)).encode()
    return (opener * depth + closer * depth).encode()


DEEP_JSON = st.builds(
    nested, st.integers(min_value=500, max_value=200_000), st.sampled_from("[{")
)

# --- CloudTrail files ----------------------------------------------------------------


def records_file(records: list[Any]) -> bytes:
    """A CloudTrail log file holding `records`."""
    return json.dumps({"Records": records}).encode()


@st.composite
def truncated_gzip(draw: st.DrawFn, records: list[Any]) -> bytes:
    """A gzip file of `records`, cut at any point after its magic bytes."""
    data = gzip.compress(records_file(records))
    cut = draw(st.integers(min_value=2, max_value=len(data) - 1))
    return data[:cut]


@st.composite
def corrupted(draw: st.DrawFn, data: bytes) -> bytes:
    """`data` with a few bytes overwritten, inserted or removed."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=max(len(buffer) - 1, 0)))
        action = draw(st.sampled_from(["set", "insert", "delete"]))
        byte = draw(st.integers(min_value=0, max_value=255))
        if action == "set" and buffer:
            buffer[position] = byte
        elif action == "insert":
            buffer.insert(position, byte)
        elif buffer:
            del buffer[position]
    return bytes(buffer)


INVALID_UTF8 = st.sampled_from(
    [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]
)

# --- denial messages ---------------------------------------------------------------

MESSAGE_PIECES = [
    "User: ",
    " is not authorized to perform: ",
    " on resource: ",
    " on this resource",
    " because no ",
    " with an explicit deny in ",
    "a ",
    "an ",
    "identity-based policy",
    "resource-based policy",
    "service control policy",
    "permissions boundary",
    "VPC endpoint policy",
    ": arn:aws:organizations::111111111111:policy/o-1/service_control_policy/p-1",
    " transitively through a service control policy",
    " allows the s3:GetObject action",
    " because public policies are prevented by the ",
    "You are not authorized to perform this operation.",
    " Encoded authorization failure message: ",
    "AbCd-_=+/",
    "...",
    " with the following authorization id: ",
    " Go to https://example.com",
    "Principal [",
    "] is not allowed to execute [",
    "]",
    "Access to the resource ",
    " is denied.",
    "Not authorized to access resource ",
    "arn:aws:iam::123456789012:role/app",
    "s3:GetObject",
    '"',
    ".",
    " ",
    ":",
]
MESSAGES = st.lists(
    st.sampled_from(MESSAGE_PIECES) | st.text(max_size=20), max_size=30
).map("".join)
HUGE_MESSAGES = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(MESSAGE_PIECES),
    st.integers(min_value=1_000, max_value=50_000),
)
ERROR_CODES = st.sampled_from(
    [None, "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation"]
) | st.text(max_size=20)

# --- policies ------------------------------------------------------------------------

ACTIONS = st.sampled_from(
    ["s3:GetObject", "s3:*", "*", "s3:Get*", "iam:PassRole", "S3:getobject", "ec2:?*"]
)
RESOURCES = st.sampled_from(
    [
        "*",
        "arn:aws:s3:::data-bucket/*",
        "arn:aws:s3:::data-bucket/${aws:username}/*",
        "arn:aws:s3:::*/*",
        "arn:aws:iam::*:role/*",
        "arn:*:*:*:*:*",
        "arn:aws:s3:::${*}",
        "not-an-arn",
    ]
)
OPERATORS = st.sampled_from(
    [
        "StringEquals",
        "StringLike",
        "StringNotLike",
        "ForAllValues:StringEquals",
        "ForAnyValue:StringLikeIfExists",
        "ArnLike",
        "ArnNotEquals",
        "IpAddress",
        "NotIpAddress",
        "NumericLessThan",
        "DateGreaterThan",
        "DateLessThanEquals",
        "Bool",
        "BinaryEquals",
        "Null",
        "NullIfExists",
        "StringEqualsIgnoreCaseIfExists",
        "NoSuchOperator",
        "ForSomeValues:StringEquals",
    ]
)
CONDITION_KEYS = st.sampled_from(
    [
        "aws:SourceIp",
        "aws:PrincipalArn",
        "aws:CurrentTime",
        "aws:MultiFactorAuthPresent",
        "aws:PrincipalTag/team",
        "s3:prefix",
        "aws:username",
        "aws:SourceVpce",
    ]
)
CONDITION_VALUES = st.sampled_from(
    [
        "10.0.0.0/8",
        "::1/128",
        "1.2.3.4/99",
        "true",
        "2026-01-01T00:00:00Z",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-23:59",
        "1e999",
        "-0",
        "NaN",
        "${aws:username}",
        "arn:aws:iam::*:role/*",
        "*a*a*a*a*a*b",
        "",
    ]
) | st.text(max_size=15)


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    """One statement, mostly valid, sometimes with an element of the wrong shape."""
    statement: dict[str, Any] = {
        "Effect": draw(st.sampled_from(["Allow", "Deny", "allow", None])),
        draw(st.sampled_from(["Action", "NotAction"])): draw(
            ACTIONS | st.lists(ACTIONS, max_size=4)
        ),
    }
    if draw(st.booleans()):
        statement[draw(st.sampled_from(["Resource", "NotResource"]))] = draw(
            RESOURCES | st.lists(RESOURCES, max_size=4)
        )
    if draw(st.booleans()):
        statement["Condition"] = draw(
            st.dictionaries(
                OPERATORS,
                st.dictionaries(
                    CONDITION_KEYS,
                    CONDITION_VALUES | st.lists(CONDITION_VALUES, max_size=4),
                    min_size=1,
                    max_size=3,
                ),
                max_size=3,
            )
        )
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        key = draw(st.sampled_from([*sorted(statement), "Sid", "Principal", "Bogus"]))
        statement[key] = draw(JSON_VALUES)
    return statement


@st.composite
def policy_documents(draw: st.DrawFn) -> Any:
    """A policy document as a dict, its JSON text, or something else entirely."""
    document: dict[str, Any] = {
        "Version": draw(st.sampled_from(["2012-10-17", "2008-10-17", None])),
        "Statement": draw(st.lists(statements(), max_size=4)),
    }
    shape = draw(st.sampled_from(["dict", "text", "bytes", "garbage", "single"]))
    if shape == "single" and document["Statement"]:
        document["Statement"] = document["Statement"][0]
    if shape == "text":
        return json.dumps(document)
    if shape == "bytes":
        return draw(corrupted(json.dumps(document).encode()))
    if shape == "garbage":
        return draw(JSON_VALUES)
    return document


def adversarial_wildcard(segment: str, count: int, tail: str = "b") -> str:
    """`*a*a*...*b`: many stars that a backtracking matcher explores forever."""
    return f"*{segment}" * count + f"*{tail}"
