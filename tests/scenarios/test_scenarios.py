"""Run every scenario file under cases/: simulate it and compare with `expected`.

Each file holds `description`, `request` (the simulate format) and `expected` with
`decision` and `denied_by`, and optionally `missing_context_keys` (each must be
reported) and `unsupported` (each must be reported). Folders follow the rules of
evaluation-logic.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied import simulate

CASES = Path(__file__).parent / "cases"
FILES = sorted(CASES.glob("*/*.json"))


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@pytest.mark.parametrize(
    "path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES]
)
def test_scenario(path: Path) -> None:
    scenario = _load(path)
    expected = scenario["expected"]
    result = simulate(scenario["request"])

    assert (result["decision"], sorted(result["denied_by"])) == (
        expected["decision"],
        sorted(expected["denied_by"]),
    ), scenario["description"]
    for key in expected.get("missing_context_keys", []):
        assert key in result["missing_context_keys"]
    for item in expected.get("unsupported", []):
        assert item in result["unsupported"]


def test_there_are_enough_scenarios_with_descriptions() -> None:
    assert len(FILES) >= 150
    for path in FILES:
        assert _load(path)["description"].strip(), path


def test_every_rule_group_has_scenarios() -> None:
    groups = {path.parent.name.split("-", 1)[0] for path in FILES}
    assert {f"{number:02d}" for number in range(1, 24)} <= groups
