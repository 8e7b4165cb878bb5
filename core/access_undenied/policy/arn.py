"""ARN matching segment by segment, as IAM matches `Resource` and `Arn*` conditions.

An ARN is `arn:partition:service:region:account-id:resource`; the resource part may
itself hold colons. IAM compares the first five segments one by one, so a `*` in a
pattern never crosses one of those colons; inside the resource part it may.
See IAM User Guide, "IAM JSON policy elements: Resource" and "Amazon Resource Names".
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from access_undenied.policy.wildcard import (
    STAR,
    Token,
    WildcardPattern,
    compile_tokens,
    compile_wildcard,
    has_wildcard,
)

ARN_SEGMENTS = 6


@dataclass(frozen=True)
class Arn:
    """The six segments of an ARN."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """The resource part up to its first `/` or `:` (`role`, `key`, `user`...)."""
        for index, char in enumerate(self.resource):
            if char in "/:":
                return self.resource[:index]
        return self.resource


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its segments; None if the text is not an ARN."""
    parts = text.split(":", ARN_SEGMENTS - 1)
    if len(parts) != ARN_SEGMENTS or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def arn_account(text: str) -> str | None:
    """The account id segment of an ARN, or None when absent or not an ARN."""
    arn = parse_arn(text)
    if arn is None or not arn.account:
        return None
    return arn.account


@dataclass(frozen=True)
class ArnPattern:
    """A compiled ARN pattern (case-sensitive).

    `literal` is set for a pattern without wildcards, `match_all` for `*`; `plain`
    is the one wildcard pattern of a text that is not six ARN segments; `checks`
    are the ARN segments that do not accept anything, with their positions.
    """

    pattern: str
    literal: str | None = None
    match_all: bool = False
    plain: WildcardPattern | None = field(default=None, repr=False)
    checks: tuple[tuple[int, WildcardPattern], ...] = field(default=(), repr=False)

    def matches(self, value: str) -> bool:
        """True if `value` matches, comparing the six ARN segments one by one."""
        if self.literal is not None:
            return value == self.literal
        if self.match_all:
            return True
        return self.matches_parts(value, value.split(":", ARN_SEGMENTS - 1))

    def matches_parts(self, value: str, parts: list[str]) -> bool:
        """Like `matches`, also given `value.split(":", 5)`, split once per request."""
        if self.literal is not None:
            return value == self.literal
        if self.match_all:
            return True
        if self.plain is not None:
            return len(parts) == 1 and self.plain.matches(value)
        if len(parts) != ARN_SEGMENTS:
            return False
        for position, segment in self.checks:  # a loop: this is the hot path
            if not segment.matches(parts[position]):
                return False
        return True


@functools.lru_cache(maxsize=65536)
def compile_arn(pattern: str) -> ArnPattern:
    """Compile an ARN pattern whose `*` and `?` are all wildcards."""
    if not has_wildcard(pattern):
        return ArnPattern(pattern, literal=pattern)
    if not pattern.strip(STAR):
        return ArnPattern(pattern, match_all=True)
    parts = pattern.split(":", ARN_SEGMENTS - 1)
    if len(parts) != ARN_SEGMENTS:
        return ArnPattern(pattern, plain=compile_wildcard(pattern))
    checks = tuple(
        (position, compile_wildcard(part))
        for position, part in enumerate(parts)
        if part.strip(STAR) or not part
    )
    return ArnPattern(pattern, checks=checks)


def compile_arn_tokens(tokens: Sequence[Token], source: str) -> ArnPattern:
    """Compile an ARN pattern from literal and wildcard tokens."""
    if all(literal for _, literal in tokens):
        return ArnPattern(source, literal="".join(text for text, _ in tokens))
    whole = compile_tokens(tokens, False, source)
    if whole.literal is not None:
        return ArnPattern(source, literal=whole.literal)
    if whole.is_match_all:
        return ArnPattern(source, match_all=True)
    split = _split_tokens(tokens)
    if len(split) != ARN_SEGMENTS:
        return ArnPattern(source, plain=whole)
    segments = [compile_tokens(part, False, source) for part in split]
    checks = tuple(
        (position, segment)
        for position, segment in enumerate(segments)
        if not segment.is_match_all
    )
    return ArnPattern(source, checks=checks)


def _split_tokens(tokens: Sequence[Token]) -> list[list[Token]]:
    """Split tokens on the first five colons of their text."""
    parts: list[list[Token]] = [[]]
    for text, literal in tokens:
        pieces = text.split(":", ARN_SEGMENTS - len(parts))
        parts[-1].append((pieces[0], literal))
        for piece in pieces[1:]:
            parts.append([(piece, literal)])
    return parts
