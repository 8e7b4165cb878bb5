"""`batch_gc`: the young generation's threshold raised inside, restored after."""

from __future__ import annotations

import gc

import pytest
from access_undenied.analyze.batch import batch_gc


def test_threshold_raised_inside_and_restored() -> None:
    before = gc.get_threshold()
    with batch_gc(123_456):
        assert gc.get_threshold() == (123_456, *before[1:])
    assert gc.get_threshold() == before


def test_threshold_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(KeyError), batch_gc(98_765):
        raise KeyError("boom")
    assert gc.get_threshold() == before


def test_never_lowers_a_higher_threshold() -> None:
    before = gc.get_threshold()
    gc.set_threshold(200_000, *before[1:])
    try:
        with batch_gc(50_000):
            assert gc.get_threshold()[0] == 200_000
    finally:
        gc.set_threshold(*before)
