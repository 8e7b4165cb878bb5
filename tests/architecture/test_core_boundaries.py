"""The core knows AWS and CloudTrail, nothing of its adapters or of boto3 at import."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import access_undenied
import pytest

CORE = Path(access_undenied.__file__).parent
OPTIONAL = ("boto3", "botocore", "duckdb", "splunklib", "numpy", "jsonschema")
ADAPTERS = ("duckdb", "splunklib", "access_undenied_duckdb", "access_undenied_splunk")

PROBE = """
import importlib, json, pkgutil, sys
import access_undenied
names = [m.name for m in pkgutil.walk_packages(access_undenied.__path__,
                                               "access_undenied.")]
for name in names:
    if name != "access_undenied.__main__":
        importlib.import_module(name)
print(json.dumps({"modules": len(names), "loaded": sorted(sys.modules)}))
"""


def core_modules() -> list[Path]:
    """Every Python file of the core package."""
    return sorted(CORE.rglob("*.py"))


def top_level_imports(path: Path) -> set[str]:
    """The first name of every module imported at a module's top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_importing_every_core_module_loads_no_optional_package() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    report = json.loads(completed.stdout)

    loaded = {name.split(".")[0] for name in report["loaded"]}
    assert report["modules"] > 30
    assert loaded.isdisjoint(OPTIONAL), sorted(loaded & set(OPTIONAL))


@pytest.mark.parametrize(
    "path", core_modules(), ids=lambda p: str(p.relative_to(CORE.parent))
)
def test_core_module_imports_no_adapter(path: Path) -> None:
    source = path.read_text(encoding="utf-8")

    mentioned = {name for name in ADAPTERS if f"import {name}" in source}
    mentioned |= {name for name in ADAPTERS if f"from {name}" in source}
    assert not mentioned
    assert top_level_imports(path).isdisjoint(OPTIONAL)


def test_every_core_module_can_be_found() -> None:
    names = [m.name for m in pkgutil.walk_packages(access_undenied.__path__)]

    assert {"cloudtrail", "policy", "engine", "snapshot", "analyze"} <= set(names)
