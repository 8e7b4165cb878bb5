"""`analyze --output-file` stopped mid-run: the file is JSON, with nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robust_support import example_data_arguments, example_denials
from robust_trees import write_tree

FILES, RECORDS_PER_FILE = 40, 1_000
# Stop once the file holds this much: well after the first batch, before the end.
STOP_AT_BYTES = 2 * 1024 * 1024
START_SECONDS = 60.0


@pytest.fixture(scope="module")
def large_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A tree of 40,000 denials and their event ids in reading order."""
    root = tmp_path_factory.mktemp("interrupt") / "trail"
    return root, write_tree(root, example_denials(), FILES, RECORDS_PER_FILE)


def start_analyze(tree: Path, output: Path) -> subprocess.Popen[bytes]:
    """The CLI writing results to `output` only."""
    command = [
        sys.executable,
        "-m",
        "access_undenied",
        "analyze",
        "--events-file",
        str(tree),
        "--output-file",
        str(output),
        "--suppress-output",
        *example_data_arguments(),
    ]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_for_results(process: subprocess.Popen[bytes], output: Path) -> None:
    """Return once the file holds STOP_AT_BYTES, while the process still runs."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("analyze ended before it could be interrupted")
        if output.exists() and output.stat().st_size >= STOP_AT_BYTES:
            return
        time.sleep(0.005)
    process.kill()
    pytest.fail("analyze wrote no results in time")


@pytest.mark.slow
@pytest.mark.parametrize(
    "stop", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name
)
def test_stopped_run_leaves_every_written_result(
    large_tree: tuple[Path, list[str]], tmp_path: Path, stop: signal.Signals
) -> None:
    tree, expected = large_tree
    output = tmp_path / "results.json"
    process = start_analyze(tree, output)

    try:
        wait_for_results(process, output)
        os.kill(process.pid, stop)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode != 0, "the run was stopped before its end"
    results = json.loads(output.read_bytes())["Results"]
    written = [result["EventId"] for result in results]
    assert 0 < len(written) < len(expected)
    assert written == expected[: len(written)], "a result was lost or repeated"
    assert all(result["ReasonCode"] != "error" for result in results)
    assert output.stat().st_mode & 0o777 == 0o600
