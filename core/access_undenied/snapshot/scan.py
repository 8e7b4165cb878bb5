"""Load a snapshot's text without keeping every entry as Python objects.

`json.load` of IAM data costs about five times the file's size in dicts and
strings. Here the outer levels are walked by hand, each user, group, role and
managed policy is decoded once (to check it against its schema definition and
to index it) and then only its span in the text is kept: a `PrincipalRecord`
decodes its entry again when first asked for. Everything else (organization,
resource policies, errors) is decoded as usual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from access_undenied.errors import SnapshotError
from access_undenied.snapshot.fast_schema import Predicate, SchemaCompiler
from access_undenied.snapshot.schema import snapshot_schema

WHITESPACE = re.compile(r"[ \t\n\r]*")
DECODER = json.JSONDecoder()

# Detail list -> the schema definition of its entries.
LIST_DEFINITIONS: dict[str, str] = {
    "UserDetailList": "#/$defs/user",
    "GroupDetailList": "#/$defs/group",
    "RoleDetailList": "#/$defs/role",
    "Policies": "#/$defs/managed_policy",
}

Span = tuple[int, int]

# (list name, entry) -> the entry's index fields, kept beside its span.
KeyFields = Callable[[str, Any], tuple[str, ...]]


@dataclass
class ScannedAccount:
    """One account: its detail lists as (index fields, span) pairs."""

    lists: dict[str, list[tuple[tuple[str, ...], Span]]] = field(default_factory=dict)
    other: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScannedDocument:
    """The document's top level, with accounts as scanned spans."""

    text: str
    top: dict[str, Any]
    accounts: dict[str, ScannedAccount]
    valid: bool

    def decode(self, span: Span) -> Any:
        """The entry at a span, decoded."""
        return DECODER.raw_decode(self.text, span[0])[0]


class Scanner:
    """Walks the outer objects of a snapshot text, checking entries as it goes."""

    def __init__(self, text: str, key_fields: KeyFields) -> None:
        self._text = text
        self._key_fields = key_fields
        compiler = SchemaCompiler(snapshot_schema())
        self._checks: dict[str, Predicate] = {
            name: compiler.ref(pointer) for name, pointer in LIST_DEFINITIONS.items()
        }
        self._skeleton = compiler.compile(snapshot_schema())
        self.valid = True

    def scan(self) -> ScannedDocument:
        """Scan the whole text; raises `SnapshotError` when it is not JSON."""
        try:
            top, end = self._object(self._skip(0), self._top_value)
            if self._skip(end) != len(self._text):
                raise ValueError(f"extra data at character {self._skip(end)}")
        except (ValueError, IndexError, RecursionError) as exc:
            raise SnapshotError(f"snapshot is truncated or not JSON: {exc}") from exc
        accounts = top.pop("accounts", None)
        skeleton = {**top, "accounts": skeleton_accounts(accounts)}
        self.valid = self.valid and self._skeleton(skeleton)
        return ScannedDocument(self._text, top, accounts or {}, self.valid)

    def _top_value(self, key: str, start: int) -> tuple[Any, int]:
        if key == "accounts" and self._text[start] == "{":
            return self._object(start, self._account)
        return DECODER.raw_decode(self._text, start)

    def _account(self, account_id: str, start: int) -> tuple[Any, int]:
        if self._text[start] != "{":
            return DECODER.raw_decode(self._text, start)
        account = ScannedAccount()

        def value(key: str, position: int) -> tuple[Any, int]:
            if key in LIST_DEFINITIONS and self._text[position] == "[":
                entries, end = self._entries(key, position)
                account.lists[key] = entries
                return None, end
            decoded, end = DECODER.raw_decode(self._text, position)
            account.other[key] = decoded
            return None, end

        end = self._object(start, value)[1]
        return account, end

    def _entries(
        self, list_name: str, start: int
    ) -> tuple[list[tuple[tuple[str, ...], Span]], int]:
        check = self._checks[list_name]
        entries: list[tuple[tuple[str, ...], Span]] = []
        position = self._skip(start + 1)
        if self._text[position] == "]":
            return entries, position + 1
        while True:
            entry, end = DECODER.raw_decode(self._text, position)
            if check(entry):
                entries.append((self._key_fields(list_name, entry), (position, end)))
            else:
                # The caller decodes the whole text again to name the field.
                self.valid = False
            position = self._skip(end)
            if self._text[position] == "]":
                return entries, position + 1
            position = self._expect(position, ",")

    def _object(
        self, start: int, value: Callable[[str, int], tuple[Any, int]]
    ) -> tuple[dict[str, Any], int]:
        if self._text[start] != "{":
            raise ValueError(f"expected an object at character {start}")
        result: dict[str, Any] = {}
        position = self._skip(start + 1)
        if self._text[position] == "}":
            return result, position + 1
        while True:
            key, position = DECODER.raw_decode(self._text, position)
            if not isinstance(key, str):
                raise ValueError(f"expected a key at character {position}")
            position = self._expect(self._skip(position), ":")
            result[key], position = value(key, position)
            position = self._skip(position)
            if self._text[position] == "}":
                return result, position + 1
            position = self._expect(position, ",")

    def _expect(self, position: int, character: str) -> int:
        if self._text[position] != character:
            raise ValueError(f"expected {character!r} at character {position}")
        return self._skip(position + 1)

    def _skip(self, position: int) -> int:
        found = WHITESPACE.match(self._text, position)
        return found.end() if found else position


def skeleton_accounts(accounts: Any) -> Any:
    """Accounts with their detail lists emptied (entries are checked one by one)."""
    if not isinstance(accounts, dict):
        return accounts
    return {
        account_id: (
            {**scanned.other, **{name: [] for name in scanned.lists}}
            if isinstance(scanned, ScannedAccount)
            else scanned
        )
        for account_id, scanned in accounts.items()
    }


def materialize(scanned: ScannedDocument) -> dict[str, Any]:
    """The whole document as Python objects (for writing, or error messages)."""
    accounts = {
        account_id: {
            **account.other,
            **{
                name: [scanned.decode(span) for _, span in entries]
                for name, entries in account.lists.items()
            },
        }
        for account_id, account in scanned.accounts.items()
    }
    return {**scanned.top, "accounts": accounts}
