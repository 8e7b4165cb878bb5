"""Policy variables: resolution, defaults, escapes, version rule, unresolvable."""

from __future__ import annotations

import pytest
from access_undenied.policy.variables import parse_template
from access_undenied.policy.wildcard import compile_tokens

CONTEXT = {
    "aws:username": "alice",
    "aws:principaltag/team": "blue",
    "aws:userid": "AIDAEXAMPLE",
}

CASES = [
    ("username", "home/${aws:username}/*", "home/alice/x", True),
    ("username-other-user", "home/${aws:username}/*", "home/bob/x", False),
    ("key-case-insensitive", "home/${AWS:UserName}/*", "home/alice/x", True),
    ("principal-tag", "team/${aws:PrincipalTag/team}", "team/blue", True),
    ("default-used", "team/${aws:PrincipalTag/dept, 'none'}", "team/none", True),
    ("default-ignored", "team/${aws:PrincipalTag/team, 'none'}", "team/blue", True),
    ("escape-star-literal", "a${*}b", "a*b", True),
    ("escape-star-not-wild", "a${*}b", "axb", False),
    ("escape-qmark", "a${?}", "a?", True),
    ("escape-qmark-not-wild", "a${?}", "ab", False),
    ("escape-dollar", "cost${$}", "cost$", True),
    ("substituted-text-is-literal", "${aws:userid}*", "AIDAEXAMPLE-1", True),
]


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_variables_table(pattern: str, value: str, expected: bool) -> None:
    template = parse_template(pattern, "2012-10-17")
    assert template is not None
    tokens = template.resolve_tokens(CONTEXT.get)
    assert tokens is not None
    assert compile_tokens(tokens, False, pattern).matches(value) is expected


@pytest.mark.parametrize(
    "pattern",
    ["home/${aws:PrincipalTag/missing}/*", "${aws:SourceIdentity}"],
    ids=["missing-tag", "missing-key"],
)
def test_unresolvable_variable_resolves_to_nothing(pattern: str) -> None:
    template = parse_template(pattern, "2012-10-17")
    assert template is not None
    assert template.resolve_tokens(CONTEXT.get) is None


@pytest.mark.parametrize(
    "version", [None, "2008-10-17"], ids=["no-version", "old-version"]
)
def test_variables_are_literal_text_in_old_versions(version: str | None) -> None:
    assert parse_template("home/${aws:username}/*", version) is None


def test_template_names_its_keys() -> None:
    template = parse_template("${aws:username}/${x:y, 'd'}/${*}", "2012-10-17")
    assert template is not None
    assert template.keys == ("aws:username", "x:y")
