"""Wildcard matching: `*` and `?`, case rules, literal escapes, hostile patterns."""

from __future__ import annotations

import pytest
from access_undenied.policy.wildcard import compile_tokens, compile_wildcard

CASES = [
    ("exact", "s3:getobject", "s3:getobject", True),
    ("exact-differs", "s3:getobject", "s3:getobjects", False),
    ("star-all", "*", "anything:at:all", True),
    ("star-empty", "*", "", True),
    ("trailing-star", "s3:get*", "s3:getobject", True),
    ("trailing-star-empty-rest", "s3:get*", "s3:get", True),
    ("trailing-star-miss", "s3:get*", "s3:putobject", False),
    ("leading-star", "*object", "s3:getobject", True),
    ("leading-star-miss", "*object", "s3:getobjects", False),
    ("middle-star", "s3:*object", "s3:putobject", True),
    ("two-stars", "s3:*obj*", "s3:getobjectacl", True),
    ("qmark-one", "s3:get?bject", "s3:getobject", True),
    ("qmark-not-zero", "s3:get?object", "s3:getobject", False),
    ("qmark-not-two", "a?c", "abbc", False),
    ("qmark-only-not-longer", "?", "aa", False),
    ("qmark-only-not-shorter", "??", "a", False),
    ("qmark-no-star-exact-length", "a?", "ab", True),
    ("qmark-and-star", "a?c*z", "abcxyz", True),
    ("qmark-in-middle-segment", "*b?d*", "aabcdee", True),
    ("qmark-in-middle-segment-miss", "*b?d*", "aabcee", False),
    ("overlap-head-tail", "ab*ba", "aba", False),
    ("head-tail-touch", "ab*ba", "abba", True),
    ("star-only-middle", "a**b", "ab", True),
    ("repeated-segment", "*ab*ab*", "xabyab", True),
    ("repeated-segment-miss", "*ab*ab*", "xaby", False),
]


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_wildcard_table(pattern: str, value: str, expected: bool) -> None:
    assert compile_wildcard(pattern).matches(value) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "ignore_case", "expected"),
    [
        ("S3:GetObject", "s3:getobject", True, True),
        ("S3:Get*", "s3:GETOBJECT", True, True),
        ("Bucket/*", "bucket/key", False, False),
        ("bucket/*", "bucket/Key", False, True),
    ],
    ids=["ci-exact", "ci-star", "cs-differs", "cs-star"],
)
def test_case_rules(
    pattern: str, value: str, ignore_case: bool, expected: bool
) -> None:
    assert compile_wildcard(pattern, ignore_case).matches(value) is expected


@pytest.mark.parametrize(
    ("tokens", "value", "expected"),
    [
        ((("a", False), ("*", True), ("b", False)), "a*b", True),
        ((("a", False), ("*", True), ("b", False)), "axxb", False),
        ((("a", False), ("?", True)), "a?", True),
        ((("a", False), ("?", True)), "ax", False),
        ((("a*", False), ("?", True)), "azz?", True),
    ],
    ids=[
        "literal-star",
        "literal-star-not-wild",
        "literal-q",
        "literal-q-not-wild",
        "mix",
    ],
)
def test_literal_tokens_are_not_wildcards(
    tokens: tuple[tuple[str, bool], ...], value: str, expected: bool
) -> None:
    assert compile_tokens(tokens, False, "").matches(value) is expected


@pytest.mark.timeout(10)
@pytest.mark.parametrize("repeat", [10, 30, 60], ids=["a10", "a30", "a60"])
def test_hostile_patterns_finish(repeat: int) -> None:
    pattern = "*a" * repeat + "*b"
    value = "a" * 20000
    assert compile_wildcard(pattern).matches(value) is False
    assert compile_wildcard(pattern).matches(value + "b") is True


@pytest.mark.timeout(10)
def test_hostile_qmark_pattern_finishes() -> None:
    pattern = "*" + "a?" * 30 + "*c"
    value = "ab" * 5000
    assert compile_wildcard(pattern).matches(value) is False
    assert compile_wildcard(pattern).matches(value + "c") is True


@pytest.mark.timeout(10)
def test_long_qmark_segment_finishes() -> None:
    pattern = "*" + "a?" * 600 + "b*"
    value = "a" * 3000
    assert compile_wildcard(pattern).matches(value) is False
    assert compile_wildcard(pattern).matches(value + "bb") is True
