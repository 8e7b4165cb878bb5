"""Fixtures: the built app package, unpacked under a fake SPLUNK_HOME, a snapshot."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from chunked import ChunkedCommand, clean_env

ROOT = Path(__file__).resolve().parents[2]
# The adapter's own package (no splunklib in it); the vendored rest is only built.
sys.path.insert(0, str(ROOT / "splunk_app" / "access_undenied" / "lib"))
EXAMPLES = ROOT / "examples"
APP_ID = "access_undenied"
DEFAULT_SNAPSHOT = "access_undenied_snapshot.json"
PYTHONS = {
    "py3.9": Path("/root/.pyenv/versions/3.9.18/bin/python"),
    "py3.13": Path("/root/.pyenv/versions/3.13.0/bin/python"),
}


def build_package(output: Path, *options: str) -> Path:
    """Run the real build script, as `make splunk-app` does."""
    script = str(ROOT / "splunk_app" / "build.py")
    completed = subprocess.run(
        [sys.executable, script, "--output", str(output), *options],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app package built once for the session."""
    return build_package(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def splunk_home(tmp_path_factory: pytest.TempPathFactory, package: Path) -> Path:
    """A SPLUNK_HOME with the package unpacked in etc/apps and a log folder."""
    home = tmp_path_factory.mktemp("splunk_home")
    (home / "var" / "log" / "splunk").mkdir(parents=True)
    apps = home / "etc" / "apps"
    apps.mkdir(parents=True)
    with tarfile.open(package) as tar:
        tar.extractall(apps)
    return home


@pytest.fixture(scope="session")
def app_dir(splunk_home: Path) -> Path:
    """The unpacked app."""
    return splunk_home / "etc" / "apps" / APP_ID


@pytest.fixture(scope="session")
def snapshot_path(app_dir: Path) -> Path:
    """The example accounts' snapshot, written under the default name in lookups/."""
    from access_undenied.snapshot.from_files import build_from_files
    from access_undenied.snapshot.write import write_snapshot

    details = sorted(str(p) for p in (EXAMPLES / "account-details").glob("*.json"))
    document = build_from_files(
        details,
        str(EXAMPLES / "organization.json"),
        str(EXAMPLES / "resource-policies.json"),
    )
    target = app_dir / "lookups" / DEFAULT_SNAPSHOT
    write_snapshot(document, target)
    return target


@pytest.fixture(params=sorted(PYTHONS), ids=sorted(PYTHONS))
def python(request: pytest.FixtureRequest) -> str:
    """Each Splunk interpreter the machine has; skipped with a message if absent."""
    path = PYTHONS[request.param]
    if not path.exists():
        pytest.skip(f"{path} is not installed; {request.param} not checked")
    return str(path)


@pytest.fixture
def command_factory(
    splunk_home: Path, app_dir: Path, tmp_path: Path
) -> Iterator[Callable[[str], ChunkedCommand]]:
    """Make ChunkedCommand objects for the app's script; kill leftovers after."""
    started: list[ChunkedCommand] = []

    def make(python: str) -> ChunkedCommand:
        command = ChunkedCommand(
            python=python,
            script=app_dir / "bin" / "accessundenied.py",
            env=clean_env(splunk_home),
            cwd=tmp_path / f"dispatch{len(started)}",
            stderr_path=tmp_path / f"stderr{len(started)}.txt",
        )
        started.append(command)
        return command

    yield make
    for command in started:
        command.kill()
