"""Splunk AppInspect, offline, in precert mode, on the built package."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def appinspect() -> str:
    """The splunk-appinspect executable beside this interpreter, or on PATH."""
    beside = Path(sys.executable).parent / "splunk-appinspect"
    found = str(beside) if beside.exists() else shutil.which("splunk-appinspect")
    if found is None:
        pytest.skip("splunk-appinspect is not installed; AppInspect not run")
    return found


def test_appinspect_precert_reports_no_failures(package: Path, tmp_path: Path) -> None:
    report = tmp_path / "appinspect.json"

    completed = subprocess.run(
        [
            appinspect(),
            "inspect",
            str(package),
            "--mode",
            "precert",
            "--skip-trusted-libraries-update",
            "--data-format",
            "json",
            "--output-file",
            str(report),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )

    assert report.exists(), completed.stdout[-2000:] + completed.stderr[-2000:]
    summary = json.loads(report.read_text())["summary"]
    failing = failed_checks(json.loads(report.read_text()))
    assert summary["failure"] == 0, failing
    assert summary["error"] == 0, failing


def failed_checks(report: dict) -> list[str]:
    """Names and messages of the failed or erroring checks, for the assertion."""
    found = []
    for group in report["reports"][0]["groups"]:
        for check in group["checks"]:
            if check["result"] in ("failure", "error"):
                messages = [m.get("message", "") for m in check.get("messages", [])]
                found.append(f"{check['name']}: {messages}")
    return found
