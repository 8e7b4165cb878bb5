"""Files holding account data are created owner-only (0600), whatever the umask."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from robust_support import BASE_DENIAL, EXAMPLES, example_data_arguments


def run_cli(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI under umask 000, so that only an explicit mode can narrow a file."""
    return subprocess.run(
        [sys.executable, "-m", "access_undenied", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0),
    )


def mode(path: Path) -> int:
    """The permission bits of a file."""
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("name", ["s.json", "s.json.gz"])
@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing-0666"])
def test_snapshot_build_writes_owner_only(
    tmp_path: Path, name: str, existing: bool
) -> None:
    output = tmp_path / name
    if existing:
        output.write_text("old")
        output.chmod(0o666)
    details = sorted((EXAMPLES / "account-details").glob("*.json"))
    arguments = [arg for path in details for arg in ("--account-details", str(path))]

    done = run_cli(["snapshot", "build", "--output", str(output), *arguments], tmp_path)

    assert done.returncode == 0, done.stderr
    assert mode(output) == 0o600


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing-0666"])
def test_results_file_is_owner_only(tmp_path: Path, existing: bool) -> None:
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [BASE_DENIAL]}))
    output = tmp_path / "results.json"
    if existing:
        output.write_text("old")
        output.chmod(0o666)

    done = run_cli(
        [
            "analyze",
            "--events-file",
            str(events),
            "--output-file",
            str(output),
            "--suppress-output",
            *example_data_arguments(),
        ],
        tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert mode(output) == 0o600
    assert len(json.loads(output.read_text())["Results"]) == 1


def test_private_writer_narrows_under_any_umask(tmp_path: Path) -> None:
    from access_undenied.snapshot.write import write_json_private

    path = tmp_path / "organization.json"
    previous = os.umask(0)
    try:
        write_json_private({"nodes": {}}, path)
    finally:
        os.umask(previous)

    assert mode(path) == 0o600
