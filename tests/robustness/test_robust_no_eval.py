"""Nothing from an event is executed, evaluated as code, or used as a path."""

from __future__ import annotations

import ast
import builtins
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from robust_support import (
    BASE_DENIAL,
    PROJECT_ROOT,
    example_analyzer,
    example_denials,
    field_paths,
    replaced,
)

CORE = PROJECT_ROOT / "core" / "access_undenied"
MARK = "RobustMark"
# Text an attacker would write to reach the file system or an evaluator.
HOSTILE_VALUES = [
    f"/tmp/{MARK}",
    f"../../../../tmp/{MARK}",
    f"{MARK}.amazonaws.com",
    f"__import__('os').system('touch {MARK}')",
    f"$({MARK})",
    f"arn:aws:s3:::{MARK}/../../x",
    f"{MARK}:GetObject",
    f"file:///tmp/{MARK}",
]

# Calls that run or evaluate code, or load objects from bytes: bare builtins, and
# `attribute:owner` for module functions.
FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "system:os",
    "popen:os",
    "execv:os",
    "execvp:os",
    "spawnl:os",
    "loads:pickle",
    "load:pickle",
    "loads:marshal",
    "load:yaml",
}
FORBIDDEN_MODULES = {"pickle", "marshal", "shelve", "subprocess", "yaml", "code"}


def core_modules() -> Iterator[Path]:
    """Every module of the core package."""
    yield from sorted(CORE.rglob("*.py"))


def called_names(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Names of called functions (`f(...)` or `x.f(...)`) and their lines."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name):
                yield function.id, node.lineno
            elif isinstance(function, ast.Attribute):
                owner = function.value
                qualifier = owner.id if isinstance(owner, ast.Name) else ""
                yield f"{function.attr}:{qualifier}", node.lineno


def imported_modules(tree: ast.AST) -> Iterator[str]:
    """Top-level names of every imported module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


@pytest.mark.parametrize(
    "module", list(core_modules()), ids=lambda p: str(p.relative_to(CORE))
)
def test_core_has_no_evaluator(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))

    calls = [
        f"{name} (line {line})"
        for name, line in called_names(tree)
        if name in FORBIDDEN_CALLS
    ]
    modules = sorted(set(imported_modules(tree)) & FORBIDDEN_MODULES)

    assert calls == []
    assert modules == []


class Recorder:
    """Records the arguments of file-system and process calls while active."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, str]] = []
        for owner, name in [
            (builtins, "open"),
            (os, "open"),
            (os, "stat"),
            (os, "listdir"),
            (os, "scandir"),
            (os, "walk"),
            (os, "system"),
            (os, "popen"),
            (subprocess, "Popen"),
            (builtins, "eval"),
            (builtins, "exec"),
        ]:
            monkeypatch.setattr(owner, name, self.wrap(name, getattr(owner, name)))

    def wrap(self, name: str, function: Any) -> Any:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, repr(args)[:500]))
            return function(*args, **kwargs)

        return recorded

    def marked(self) -> list[tuple[str, str]]:
        """The recorded calls whose arguments hold the mark."""
        return [call for call in self.calls if MARK in call[1]]


def string_paths(record: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Paths of the string fields of a record, except its error code."""
    paths = []
    for path in field_paths(record):
        value: Any = record
        for step in path:
            value = value[step]
        if isinstance(value, str) and path != ("errorCode",):
            paths.append(path)
    return paths


def hostile_records() -> list[dict[str, Any]]:
    """Each string field of each template given each hostile value, in turn."""
    records = []
    for template in [BASE_DENIAL, *example_denials()[:6]]:
        for number, path in enumerate(string_paths(template)):
            value = HOSTILE_VALUES[number % len(HOSTILE_VALUES)]
            records.append(replaced(template, path, value))
    return records


def test_the_recorder_sees_a_marked_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sanity: a call with the mark in its path is caught."""
    recorder = Recorder(monkeypatch)

    with pytest.raises(OSError):
        os.stat(f"/nonexistent/{MARK}")

    assert [name for name, _ in recorder.marked()] == ["stat"]


def test_event_text_reaches_no_file_and_no_evaluator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    analyzer = example_analyzer()
    records = hostile_records()
    monkeypatch.chdir(tmp_path)
    recorder = Recorder(monkeypatch)

    for record in records:
        analyzer.explain_record(record)

    assert recorder.marked() == []
    assert list(tmp_path.iterdir()) == []
    assert not Path("/tmp", MARK).exists()


def test_event_account_ids_reaching_a_file_name_are_ascii(tmp_path: Path) -> None:
    import json

    from access_undenied.commands.analyze import accounts_and_regions

    identity = {
        **BASE_DENIAL["userIdentity"],
        "accountId": "\uff11" * 12,  # fullwidth digit one
        "arn": f"arn:aws:iam::{chr(0x0661) * 12}:user/x",  # Arabic-Indic one
    }
    record = replaced(BASE_DENIAL, ("userIdentity",), identity)
    record["recipientAccountId"] = f"../../tmp/{MARK}"
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [record]}))

    accounts, _ = accounts_and_regions([str(events)])

    assert all(account.isascii() and len(account) == 12 for account in accounts)


ACCOUNT_IDS = {
    "ascii": ("123456789012", True),
    "eleven": ("12345678901", False),
    "thirteen": ("1234567890123", False),
    "fullwidth": ("\uff11" * 12, False),
    "arabic-indic": (chr(0x0661) * 12, False),
    "superscript": ("\u00b9" * 12, False),
    "trailing-newline": ("123456789012\n", False),
    "path": ("../123456789", False),
    "not-text": (123456789012, False),
}


@pytest.mark.parametrize("text, expected", ACCOUNT_IDS.values(), ids=ACCOUNT_IDS)
def test_account_id_is_twelve_ascii_digits(text: object, expected: bool) -> None:
    from access_undenied.cloudtrail.arns import is_account_id
    from access_undenied.snapshot.arns import ACCOUNT_ID

    assert is_account_id(text) is expected
    if isinstance(text, str):
        assert bool(ACCOUNT_ID.match(text)) is expected


def test_cache_path_names_only_account_ids() -> None:
    from access_undenied.commands.analyze import cache_path

    name = Path(cache_path(["123456789012", "\uff11" * 12, f"../../{MARK}"])).name

    assert name.startswith("access-undenied-snapshot-123456789012-")
    assert MARK not in name
