"""`analyze --workers N`: files explained side by side, the output unchanged."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from access_undenied.analyze import parallel
from access_undenied.cli import main
from test_analyze_command import EXAMPLES, FILES


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The examples' snapshot in a file, so that every run shows the same age."""
    path = tmp_path_factory.mktemp("workers") / "snapshot.json"
    assert main(["snapshot", "build", "--output", str(path), *FILES]) == 0
    return str(path)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example events three times over, in nested folders (15 files)."""
    root = tmp_path_factory.mktemp("workers") / "trail"
    for copy in ("a", "b/c", "d"):
        shutil.copytree(EXAMPLES / "events", root / copy)
    return root


def analyze(
    capsys: pytest.CaptureFixture[str], snapshot: str, *options: str
) -> tuple[str, str]:
    """stdout of one run and its --output-file's text."""
    capsys.readouterr()
    output = Path(snapshot).parent / f"results-{os.getpid()}.json"
    code = main(
        [
            "analyze",
            "--snapshot",
            snapshot,
            "--output-file",
            str(output),
            *options,
        ]
    )
    assert code == 0
    text = output.read_text()
    output.unlink()
    return capsys.readouterr().out, text


@pytest.mark.parametrize("workers", ["2", "3", "auto"])
def test_workers_write_what_one_process_writes(
    capsys: pytest.CaptureFixture[str], snapshot: str, tree: Path, workers: str
) -> None:
    alone = analyze(capsys, snapshot, "--events-file", str(tree))
    shared = analyze(capsys, snapshot, "--events-file", str(tree), "--workers", workers)
    assert shared == alone
    assert alone[0].count("\n") == 63  # 21 results a copy, the broken line too


EXPLAIN_FILE = parallel.explain_file
SERVE = parallel.serve


def dies_on_lambda(path: str) -> parallel.FileResults:
    """A worker's task that ends its process, as the kernel's OOM killer would."""
    if path.endswith("lambda-readme-example.json"):
        os._exit(3)
    return EXPLAIN_FILE(path)


def serve_one_file(connection: Any, parent_ends: list[Any]) -> None:
    """A worker that ends after its first answer, before it is sent the next file."""
    real_recv = connection.recv
    calls = []

    def recv_twice() -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise EOFError
        return real_recv()

    connection.recv = recv_twice
    SERVE(connection, parent_ends)


@pytest.mark.parametrize(
    ("name", "replacement", "workers"),
    [
        pytest.param("explain_file", dies_on_lambda, "2", id="dies-explaining"),
        pytest.param("serve", serve_one_file, "3", id="ends-between-files"),
    ],
)
def test_workers_that_die_lose_no_result(
    capsys: pytest.CaptureFixture[str],
    snapshot: str,
    tree: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    replacement: Any,
    workers: str,
) -> None:
    alone = analyze(capsys, snapshot, "--events-file", str(tree))
    monkeypatch.setattr(parallel, name, replacement)
    # The parent sees a worker's end as a broken pipe when it sends the next file or
    # as the end of the pipe when it waits for the answer: a race, so run thrice.
    for _ in range(3):
        shared = analyze(
            capsys, snapshot, "--events-file", str(tree), "--workers", workers
        )
        assert shared == alone


def test_stdin_is_read_by_one_process(
    capsys: pytest.CaptureFixture[str],
    snapshot: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = (EXAMPLES / "events" / "lambda-readme-example.json").read_bytes()

    def run(*options: str) -> tuple[str, str]:
        stdin = io.TextIOWrapper(io.BytesIO(data))
        monkeypatch.setattr(sys, "stdin", stdin)
        return analyze(capsys, snapshot, "--events-file", "-", *options)

    assert run("--workers", "4") == run()


@pytest.mark.parametrize("value", ["0", "-1", "many", "1.5"])
def test_a_bad_worker_count_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], snapshot: str, value: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", "--snapshot", snapshot, "--events-file", "-",
              "--workers", value])  # fmt: skip
    assert exit_info.value.code == 2
    assert "--workers" in capsys.readouterr().err
