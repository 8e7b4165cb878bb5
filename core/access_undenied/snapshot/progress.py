"""A one-line progress bar on stderr, drawn only when stderr is a terminal."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

WIDTH = 30


class Progress:
    """Counts finished tasks and redraws `label [####....] done/total`."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._enabled = self._stream.isatty()
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0

    def add(self, count: int) -> None:
        """Announce more tasks."""
        with self._lock:
            self._total += count
            self._draw()

    def advance(self) -> None:
        """Mark one task finished."""
        with self._lock:
            self._done += 1
            self._draw()

    def close(self) -> None:
        """End the line the bar was drawn on."""
        if self._enabled and self._total:
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self) -> None:
        if not self._enabled or not self._total:
            return
        filled = WIDTH * self._done // self._total
        bar = "#" * filled + "." * (WIDTH - filled)
        self._stream.write(f"\r{self._label} [{bar}] {self._done}/{self._total}")
        self._stream.flush()
