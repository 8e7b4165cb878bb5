"""Policy documents as IAM hands them out: objects, JSON text or URL-encoded text."""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Mapping
from typing import Any

from access_undenied.errors import InputError


def decode_policy_document(value: Any, where: str) -> dict[str, Any]:
    """A policy document as a JSON object.

    The IAM API returns documents URL-encoded (RFC 3986); the AWS CLI and boto3
    decode them; Organizations returns JSON text. All three are accepted.
    """
    if isinstance(value, Mapping):
        return dict(value)
    if not isinstance(value, str):
        raise InputError(f"{where}: a policy document must be an object or a string")

    text = value.strip()
    if not text.startswith("{"):
        text = urllib.parse.unquote(text)
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{where}: the policy document is not JSON: {exc}") from exc
    if not isinstance(decoded, dict):
        raise InputError(f"{where}: the policy document is not a JSON object")
    return decoded


def read_json_file(path: str | os.PathLike[str], what: str) -> Any:
    """The JSON value of an input file; any failure is an `InputError` naming it.

    `RecursionError` is caught too: a document nested too deep to parse is bad input.
    """
    where = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise InputError(f"{what} {where!r}: {reason}") from exc
