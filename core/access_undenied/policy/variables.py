"""Policy variables: `${aws:username}`, defaults, and the escapes `${*}` `${?}` `${$}`.

IAM replaces `${key}` in `Resource` and in condition values with the request context
value of `key` (case-insensitive), or with the default of `${key, 'default'}` when the
key is absent. A variable that cannot be resolved (absent, no default, or a multivalued
key) makes that value match nothing. Policy variables work only in policies with
`"Version": "2012-10-17"`; elsewhere the text is literal. The escapes stand for the
literal characters `*`, `?` and `$`. See IAM User Guide, "IAM policy elements:
Variables and tags".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Optional

from access_undenied.policy.wildcard import Token

VARIABLES_VERSION = "2012-10-17"

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}

# Resolves a context key (already lowercased) to its single value, or None.
Lookup = Callable[[str], Optional[str]]


@dataclass(frozen=True)
class Variable:
    """One `${...}`: a context key with an optional default, or an escape."""

    key: str
    default: str | None
    escape: str | None

    def resolve(self, lookup: Lookup) -> str | None:
        """The replacement text, or None if the variable cannot be resolved."""
        if self.escape is not None:
            return self.escape
        value = lookup(self.key.lower())
        return self.default if value is None else value


@dataclass(frozen=True)
class Template:
    """A string holding policy variables; literal parts keep their wildcard meaning."""

    source: str
    parts: tuple[str | Variable, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        """The context keys the template reads."""
        return tuple(
            part.key for part in self.parts if isinstance(part, Variable) and part.key
        )

    @property
    def required_keys(self) -> tuple[str, ...]:
        """The context keys the template cannot do without (no default given)."""
        return tuple(
            part.key
            for part in self.parts
            if isinstance(part, Variable) and part.key and part.default is None
        )

    def resolve_tokens(self, lookup: Lookup) -> tuple[Token, ...] | None:
        """Tokens for wildcard compilation; None if a variable cannot be resolved."""
        tokens: list[Token] = []
        for part in self.parts:
            if isinstance(part, str):
                tokens.append((part, False))
                continue
            value = part.resolve(lookup)
            if value is None:
                return None
            tokens.append((value, True))
        return tuple(tokens)

    def resolve_text(self, lookup: Lookup) -> str | None:
        """The plain text with every variable replaced, or None if one cannot be."""
        tokens = self.resolve_tokens(lookup)
        if tokens is None:
            return None
        return "".join(text for text, _ in tokens)


def parse_template(text: str, version: str | None) -> Template | None:
    """A Template if `text` holds policy variables the policy version allows."""
    if version != VARIABLES_VERSION or "${" not in text:
        return None
    parts: list[str | Variable] = []
    position = 0
    for found in _VARIABLE.finditer(text):
        if found.start() > position:
            parts.append(text[position : found.start()])
        parts.append(_parse_variable(found.group(1)))
        position = found.end()
    if position < len(text):
        parts.append(text[position:])
    return Template(text, tuple(parts))


def _parse_variable(body: str) -> Variable:
    if body in _ESCAPES:
        return Variable("", None, _ESCAPES[body])
    with_default = _DEFAULT.match(body)
    if with_default:
        return Variable(with_default.group(1), with_default.group(2), None)
    return Variable(body.strip(), None, None)


def template_keys(templates: Sequence[Template | None]) -> tuple[str, ...]:
    """Every context key read by the given templates."""
    return tuple(key for item in templates if item for key in item.keys)
