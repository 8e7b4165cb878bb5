"""Fuzz the policy parser: any text gives a Policy or a PolicyParseError.

Run: `python fuzz/policy.py -timeout=2 -max_len=65536` (see fuzz/README.md).
"""

from __future__ import annotations

import atheris
from _target import ALLOWED_ERRORS, run

with atheris.instrument_imports():
    from access_undenied.policy import Policy, parse_policy


def test_one_input(data: bytes) -> None:
    """Parse the bytes as a policy document's text."""
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        policy = parse_policy(text, "fuzzed")
    except ALLOWED_ERRORS:
        return
    if not isinstance(policy, Policy):
        raise AssertionError("parse_policy returned something else")


if __name__ == "__main__":
    run(test_one_input)
