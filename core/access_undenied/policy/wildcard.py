"""IAM wildcard matching (`*` any run, `?` one character) in linear time.

IAM patterns in `Action`, `Resource` and the `...Like` condition operators know only two
wildcards: `*` matches any run of characters, `?` exactly one. A pattern is split on
`*` into fixed-length segments; the first is anchored at the start, the last at the
end, and each middle one is placed at its leftmost position after the previous one.
Leftmost placement is optimal because every segment has a fixed length, so no
backtracking is ever needed and hostile patterns such as `*a*a*a*b` stay linear.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

STAR = "*"
QMARK = "?"

# A token is a run of literal text (False) or a wildcard character (True); policy
# variable escapes like `${*}` produce literal `*` text that must not act as a wildcard.
Token = tuple[str, bool]


@dataclass(frozen=True)
class Segment:
    """A fixed-length piece between two `*`: text plus the positions of `?`.

    A segment with `?` is found with the bit-parallel Shift-And method: one pass
    over the value, each step a few integer operations on a bit per segment
    character, so `a?a?a?...` against a long value stays linear in its length.
    """

    text: str
    any_positions: tuple[int, ...]

    def matches_at(self, value: str, start: int) -> bool:
        """True if the segment matches `value` starting at index `start`."""
        if not self.any_positions:
            return value.startswith(self.text, start)
        if start + len(self.text) > len(value):
            return False
        chunks = _tables(self.text, self.any_positions).chunks
        return all(value.startswith(text, start + at) for at, text in chunks)

    def find(self, value: str, start: int) -> int:
        """The leftmost index >= start where the segment matches, or -1."""
        if not self.any_positions:
            return value.find(self.text, start)
        length = len(self.text)
        if length == 0:
            return start if start <= len(value) else -1
        tables = _tables(self.text, self.any_positions)
        masks, any_mask = tables.masks, tables.any_mask
        found_bit = 1 << (length - 1)
        state = 0
        for index in range(start, len(value)):
            state = ((state << 1) | 1) & masks.get(value[index], any_mask)
            if state & found_bit:
                return index - length + 1
        return -1


class _Tables(NamedTuple):
    """Literal runs between the `?` (offset, text), and the Shift-And bit masks."""

    chunks: tuple[tuple[int, str], ...]
    masks: dict[str, int]
    any_mask: int


@functools.lru_cache(maxsize=4096)
def _tables(text: str, any_positions: tuple[int, ...]) -> _Tables:
    """Built once per segment with `?`, on first use."""
    wild = set(any_positions)
    any_mask = sum(1 << position for position in wild)
    masks: dict[str, int] = {}
    for position, char in enumerate(text):
        if position not in wild:
            masks[char] = masks.get(char, any_mask) | (1 << position)
    return _Tables(tuple(_chunks(text, wild)), masks, any_mask)


def _chunks(text: str, wild: set[int]) -> list[tuple[int, str]]:
    """The literal runs of `text` between wildcard positions, with their offsets."""
    chunks: list[tuple[int, str]] = []
    begin = 0
    for position in [*sorted(wild), len(text)]:
        if position > begin:
            chunks.append((begin, text[begin:position]))
        begin = position + 1
    return chunks


@dataclass(frozen=True)
class WildcardPattern:
    """A compiled IAM wildcard pattern; `matches` runs without backtracking."""

    pattern: str
    ignore_case: bool
    literal: str | None
    head: Segment
    middle: tuple[Segment, ...]
    tail: Segment | None
    prefix: str | None = None

    def matches(self, value: str) -> bool:
        """True if the whole of `value` matches the pattern."""
        if self.ignore_case:
            value = value.lower()
        if self.literal is not None:
            return value == self.literal
        if self.prefix is not None:
            return value.startswith(self.prefix)
        if not self.head.matches_at(value, 0):
            return False
        if self.tail is None:  # no `*` at all: the lengths must agree
            return len(value) == len(self.head.text)
        position = len(self.head.text)
        for segment in self.middle:
            found = segment.find(value, position)
            if found < 0:
                return False
            position = found + len(segment.text)
        return self._tail_matches(value, position)

    def _tail_matches(self, value: str, position: int) -> bool:
        if self.tail is None:
            return True
        start = len(value) - len(self.tail.text)
        return start >= position and self.tail.matches_at(value, start)

    @property
    def is_match_all(self) -> bool:
        """True for `*` (or `**`...): the pattern matches every value."""
        return (
            self.literal is None
            and not self.head.text
            and not self.middle
            and (self.tail is not None and not self.tail.text)
        )


def has_wildcard(pattern: str) -> bool:
    """True if the text holds `*` or `?`."""
    return STAR in pattern or QMARK in pattern


@functools.lru_cache(maxsize=65536)
def compile_wildcard(pattern: str, ignore_case: bool = False) -> WildcardPattern:
    """Compile a pattern where every `*` and `?` is a wildcard."""
    return compile_tokens(((pattern, False),), ignore_case, pattern)


def compile_tokens(
    tokens: Iterable[Token], ignore_case: bool, source: str
) -> WildcardPattern:
    """Compile literal and wildcard tokens; literal text never acts as a wildcard."""
    tokens = tuple(tokens)
    if all(literal or not has_wildcard(text) for text, literal in tokens):
        text = "".join(text for text, _ in tokens)
        text = text.lower() if ignore_case else text
        return WildcardPattern(source, ignore_case, text, Segment(text, ()), (), None)
    pieces = _pieces(tokens, ignore_case)
    if len(pieces) == 1 and not pieces[0].any_positions:
        text = pieces[0].text
        return WildcardPattern(source, ignore_case, text, Segment(text, ()), (), None)

    head = pieces[0]
    tail = pieces[-1] if len(pieces) > 1 else None
    middle = tuple(pieces[1:-1])
    simple = len(pieces) == 2 and not head.any_positions and tail == Segment("", ())
    prefix = head.text if simple else None
    return WildcardPattern(source, ignore_case, None, head, middle, tail, prefix)


def _pieces(tokens: Iterable[Token], ignore_case: bool) -> list[Segment]:
    """Split tokens on `*` into segments, noting where `?` stands."""
    pieces: list[Segment] = []
    parts: list[str] = []
    length = 0
    any_positions: list[int] = []
    for chunk, literal in tokens:
        text = chunk.lower() if ignore_case else chunk
        runs = [text] if literal else text.split(STAR)
        for number, run in enumerate(runs):
            if number:
                pieces.append(Segment("".join(parts), tuple(any_positions)))
                parts, length, any_positions = [], 0, []
            if not literal and QMARK in run:
                any_positions.extend(length + at for at in _positions(run, QMARK))
            parts.append(run)
            length += len(run)
    pieces.append(Segment("".join(parts), tuple(any_positions)))
    return pieces


def _positions(text: str, char: str) -> Iterator[int]:
    """Every index of `char` in `text`."""
    found = text.find(char)
    while found >= 0:
        yield found
        found = text.find(char, found + 1)
