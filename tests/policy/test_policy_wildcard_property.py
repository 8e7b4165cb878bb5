"""The linear-time matcher agrees with a regular-expression reference on small input."""

from __future__ import annotations

import re

from access_undenied.policy.wildcard import compile_wildcard
from hypothesis import given, settings
from hypothesis import strategies as st

PATTERNS = st.text(alphabet="ab*?", max_size=8)
VALUES = st.text(alphabet="ab", max_size=10)


def reference(pattern: str, value: str) -> bool:
    """`*` as `.*`, `?` as `.`, everything else literal; fine for tiny inputs."""
    translated = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char)
        for char in pattern
    )
    return re.fullmatch(translated, value, re.DOTALL) is not None


@settings(max_examples=400, deadline=None)
@given(PATTERNS, VALUES)
def test_matches_like_the_reference(pattern: str, value: str) -> None:
    assert compile_wildcard(pattern).matches(value) is reference(pattern, value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aB*?", max_size=6), st.text(alphabet="aAbB", max_size=8))
def test_ignore_case_is_lowercase_comparison(pattern: str, value: str) -> None:
    insensitive = compile_wildcard(pattern.lower(), True).matches(value)
    assert insensitive is reference(pattern.lower(), value.lower())
