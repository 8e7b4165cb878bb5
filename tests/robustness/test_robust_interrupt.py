"""`analyze --output-file` stopped mid-run: the file is JSON, with nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from robust_support import example_data_arguments, example_denials
from robust_trees import write_tree

FILES, RECORDS_PER_FILE = 20, 1_000
# Stop once the file holds this much: well after the first batch, before the end.
STOP_AT_BYTES = 2 * 1024 * 1024
START_SECONDS = 60.0


@pytest.fixture(scope="module")
def large_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A tree of 20,000 denials and their event ids in reading order."""
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


# A fatal signal can stop a write of several pages at a page boundary (the kernel
# checks for it between pages), leaving a batch cut short: see the page-boundary
# test below, which shows it every time. Here it shows now and then.
FATAL_SIGNAL_CUTS_A_BATCH = pytest.mark.xfail(
    strict=False,
    reason="analyze/writers.py ResultsFileSink.flush: a multi-page pwrite cut at a "
    "page boundary by SIGKILL/SIGTERM leaves the file without its closing",
)
STOPS = [
    pytest.param(signal.SIGKILL, id="SIGKILL", marks=FATAL_SIGNAL_CUTS_A_BATCH),
    pytest.param(signal.SIGINT, id="SIGINT"),
    pytest.param(signal.SIGTERM, id="SIGTERM", marks=FATAL_SIGNAL_CUTS_A_BATCH),
]


@pytest.mark.slow
@pytest.mark.parametrize("stop", STOPS)
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


PAGE = 4096


def cut_at_next_page(real_pwrite: Any) -> Any:
    """An `os.pwrite` that writes up to the next page boundary, then dies."""

    def pwrite(fd: int, data: bytes, offset: int) -> int:
        boundary = (offset // PAGE + 1) * PAGE
        if offset + len(data) <= boundary:
            return int(real_pwrite(fd, data, offset))
        real_pwrite(fd, data[: boundary - offset], offset)
        raise Killed

    return pwrite


class Killed(BaseException):
    """The process died inside a write."""


@pytest.mark.xfail(
    strict=True,
    reason="analyze/writers.py ResultsFileSink.flush writes each batch and its "
    "closing in one multi-page pwrite; cut at a page boundary, the file is not JSON",
)
def test_a_write_cut_at_a_page_boundary_leaves_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from access_undenied.analyze.writers import ResultsFileSink

    path = tmp_path / "results.json"
    sink = ResultsFileSink(str(path), flush_seconds=3600, max_buffer=3 * PAGE)
    results = [{"EventId": f"e-{n}", "Padding": "x" * 700} for n in range(20)]
    monkeypatch.setattr(os, "pwrite", cut_at_next_page(os.pwrite))

    with pytest.raises(Killed):
        for result in results:
            sink.write(result, json.dumps(result))

    written = json.loads(path.read_bytes())["Results"]
    assert written == results[: len(written)]
