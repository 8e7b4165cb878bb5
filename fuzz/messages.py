"""Fuzz the denial message parser and the request builder on any record text.

Run: `python fuzz/messages.py -timeout=2` (see fuzz/README.md).
"""

from __future__ import annotations

import json

import atheris
from _target import run

with atheris.instrument_imports():
    from access_undenied.cloudtrail.messages import DenialMessage, parse_denial_message
    from access_undenied.cloudtrail.request import build_request


def test_one_input(data: bytes) -> None:
    """Parse the bytes as a message, then as a record's errorMessage."""
    provider = atheris.FuzzedDataProvider(data)
    code = provider.PickValueInList(["AccessDenied", "AccessDeniedException", ""])
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    if not isinstance(parse_denial_message(code, text), DenialMessage):
        raise AssertionError("parse_denial_message returned something else")
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        record = {"errorCode": code, "errorMessage": text}
    if isinstance(record, dict):
        build_request(record).to_dict()


if __name__ == "__main__":
    run(test_one_input)
