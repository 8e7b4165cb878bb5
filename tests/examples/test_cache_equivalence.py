"""Cached answers equal fresh ones, whatever the per-event members say."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from access_undenied.analyze import Analyzer
from access_undenied.cloudtrail.models import RecordItem
from access_undenied.cloudtrail.reader import iter_denials
from access_undenied.snapshot import Snapshot
from example_world import EXAMPLES, example_document

VARIANTS = [
    {"sourceIPAddress": "203.0.113.77"},
    {"eventTime": "2026-11-21T23:59:59Z", "eventID": "other-id"},
    {"userAgent": "Boto3/1.35 md/Botocore#1.35"},
    {"awsRegion": "ap-southeast-2"},
    {"tlsDetails": None},
]


def example_records() -> list[dict[str, Any]]:
    return [
        item.record
        for item in iter_denials(str(EXAMPLES / "events"))
        if isinstance(item, RecordItem)
    ]


def fresh() -> Analyzer:
    return Analyzer(Snapshot.from_document(example_document()))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: ",".join(v))
def test_warm_results_equal_fresh_results(variant: dict[str, Any]) -> None:
    warm = fresh()
    for record in example_records():
        warm.explain_record(record)
    for record in example_records():
        changed = copy.deepcopy(record)
        changed.update(variant)
        assert warm.explain_record(changed) == fresh().explain_record(changed)
