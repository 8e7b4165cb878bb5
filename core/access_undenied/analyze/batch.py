"""Settings for long batch runs of the analyzer (a CLI run, a benchmark).

The analyzer allocates many short-lived objects and almost no reference cycles, so
at Python's default threshold (a collection of the youngest generation every 700
allocations) the cyclic garbage collector spends about a quarter of a batch run
walking objects it cannot free (bench/analyze.py, 100,000 records).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BATCH_GC_THRESHOLD = 50_000


@contextmanager
def batch_gc(threshold: int = BATCH_GC_THRESHOLD) -> Iterator[None]:
    """Collect the youngest generation every `threshold` allocations, then restore.

    Only the frequency changes: every cycle is still collected, a little later.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
