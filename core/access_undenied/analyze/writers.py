"""Where results go: JSON Lines, a `{"Results": [...]}` file, a table, a progress bar.

The results file is valid JSON after every write, and a write stopped between two
pages (Linux does that to a process killed during a write) leaves it valid too, but
for the two cases `ResultsFileSink` names.
"""

from __future__ import annotations

import os
import shutil
import textwrap
import time
from collections.abc import Mapping
from typing import IO, Any, Protocol

# Linux copies a write to a file a page at a time and checks for a fatal signal
# before each page; pages are 4 KiB or a multiple of it.
PAGE = 4096
OPENING = b'{"Results": ['
CLOSING = b"]}\n"
FINAL_CLOSING = b"\n]}\n"
PADDING = b" "
# Written over the closing: blanks it and puts it at the end of the next page.
MOVED_CLOSING = PADDING * PAGE + CLOSING


class ResultSink(Protocol):
    """Receives each result as a dict and as its JSON text."""

    def write(self, result: Mapping[str, Any], line: str) -> None: ...

    def close(self) -> None: ...


class JsonLinesSink:
    """One result per line, written as produced."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, result: Mapping[str, Any], line: str) -> None:
        """Write one JSON line and flush it, so a reader sees it at once."""
        self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        """Flush the stream (the stream itself stays open)."""
        self._stream.flush()


class ResultsFileSink:
    """`{"Results": [...]}` in a file readable by its owner only, valid throughout.

    Layout: the closing `]}` ends the file's last page and whitespace fills the gap
    between the results and it. A result shorter than a page never crosses a page
    boundary (whitespace moves it to the next page), so a write of results into the
    gap, stopped at any page boundary, leaves whole results, whitespace and the
    closing. Only two writes can be cut into invalid JSON: the one that moves the
    closing to the end of the next page (if the kill lands on its first 3 bytes),
    and the one of a result longer than a page. No in-place layout avoids the first:
    the end of the document has to cross each page boundary, and a write that
    crosses one, stopped there, has blanked the old closing without the new.
    """

    def __init__(
        self,
        path: str,
        flush_seconds: float = 0.25,
        fsync_seconds: float = 5.0,
        max_buffer: int = 1 << 16,
    ) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        self._fd = os.open(path, flags, 0o600)
        os.fchmod(self._fd, 0o600)
        first_page = OPENING + PADDING * (PAGE - len(OPENING) - len(CLOSING))
        pwrite_all(self._fd, first_page + CLOSING, 0)
        self._end = len(OPENING)
        self._size = PAGE
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._count = 0
        self._flush_seconds = flush_seconds
        self._fsync_seconds = fsync_seconds
        self._max_buffer = max_buffer
        self._last_flush = self._last_fsync = time.monotonic()

    def write(self, result: Mapping[str, Any], line: str) -> None:
        """Queue one result; batches are written at short intervals."""
        separator = b",\n" if self._count else b"\n"
        data = separator + line.encode("utf-8")
        self._pending.append(data)
        self._pending_size += len(data)
        self._count += 1
        now = time.monotonic()
        if self._pending_size >= self._max_buffer or now - self._last_flush >= (
            self._flush_seconds
        ):
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        """Write the queued results into the gap before the closing; fsync at times.

        Each step can be repeated: a flush stopped by an exception between its
        writes writes the same bytes again at the same places.
        """
        now = time.monotonic() if now is None else now
        if self._pending:
            region, end = pack_results(self._pending, self._end)
            self._grow_to(end + len(CLOSING))
            pwrite_all(self._fd, region, self._end)
            self._end = end
            self._pending.clear()
            self._pending_size = 0
        self._last_flush = now
        if now - self._last_fsync >= self._fsync_seconds:
            os.fsync(self._fd)
            self._last_fsync = now

    def close(self) -> None:
        """Write what is queued, end the file after the last result, fsync, close."""
        self.flush()
        self._trim()
        os.fsync(self._fd)
        os.close(self._fd)

    def _grow_to(self, size: int) -> None:
        """Move the closing to the end of the next page until the file has `size`."""
        while self._size < size:
            pwrite_all(self._fd, MOVED_CLOSING, self._size - len(CLOSING))
            self._size += PAGE

    def _trim(self) -> None:
        """Put the closing right after the results, in one single-page write.

        The whitespace left before it is the part of the gap outside the last page.
        """
        start = max(self._end, self._size - PAGE)
        if self._size - start < len(FINAL_CLOSING):
            return  # the closing already follows the last result
        tail = FINAL_CLOSING + PADDING * (self._size - start - len(FINAL_CLOSING))
        pwrite_all(self._fd, tail, start)
        os.ftruncate(self._fd, start + len(FINAL_CLOSING))


def pack_results(items: list[bytes], start: int) -> tuple[bytes, int]:
    """The items laid out from `start`, and where they end.

    An item that fits in a page but not in the rest of this one starts the next
    page, after whitespace; a longer one starts where it is.
    """
    parts: list[bytes] = []
    position = start
    for item in items:
        room = PAGE - position % PAGE
        if room < len(item) <= PAGE:
            parts.append(PADDING * room)
            position += room
        parts.append(item)
        position += len(item)
    return b"".join(parts), position


def pwrite_all(fd: int, data: bytes, offset: int) -> None:
    """Write all of `data` at `offset`, going on after a short write."""
    written = os.pwrite(fd, data, offset)
    view = memoryview(data)[written:]
    while view:
        offset += written
        written = os.pwrite(fd, view, offset)
        view = view[written:]


# Column name -> (width, how to read it from a result).
TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("EVENT", 10),
    ("REASON", 42),
    ("PRINCIPAL", 28),
    ("ACTION", 30),
)


class TableSink:
    """A readable summary for a terminal: one row per result, then its sentence."""

    def __init__(self, stream: IO[str], width: int | None = None) -> None:
        self._stream = stream
        self._width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
        self._count = 0

    def write(self, result: Mapping[str, Any], line: str) -> None:
        """Write the row and the indented explanation and fix of one result."""
        if self._count == 0:
            self._stream.write(self._row([name for name, _ in TABLE_COLUMNS]) + "\n")
        self._count += 1
        self._stream.write(self._row(table_cells(result)) + "\n")
        for text in table_details(result):
            self._stream.write(self._wrap(text) + "\n")
        self._stream.write("\n")
        self._stream.flush()

    def close(self) -> None:
        """Say how many results were written."""
        self._stream.write(f"{self._count} result(s)\n")
        self._stream.flush()

    def _row(self, cells: list[str]) -> str:
        parts = [fit(cell, width) for cell, (_, width) in zip(cells, TABLE_COLUMNS)]
        return " ".join(parts).rstrip()

    def _wrap(self, text: str) -> str:
        return textwrap.fill(
            text,
            self._width,
            initial_indent="    ",
            subsequent_indent="      ",
            break_on_hyphens=False,
            break_long_words=False,
        )


def table_cells(result: Mapping[str, Any]) -> list[str]:
    """The row of one result: short event id, reason, principal, action."""
    request = result.get("Request") or {}
    event_id = result.get("EventId") or "-"
    principal = request.get("Principal") or "-"
    return [
        str(event_id)[:8],
        str(result.get("ReasonCode")),
        principal.rsplit(":", 1)[-1],
        str(request.get("Action") or "-"),
    ]


def table_details(result: Mapping[str, Any]) -> list[str]:
    """The lines under a row: the explanation, then each fix target."""
    lines = [str(result.get("Explanation", ""))]
    details = result.get("ResultDetails") or {}
    for fix in details.get("PoliciesToAdd", ()):
        actions = sorted(
            {str(s.get("Action")) for s in fix["Policy"]["Statement"] if "Action" in s}
        )
        lines.append(f"fix: add {', '.join(actions)} to {fix['AttachmentTargetArn']}")
    for deny in details.get("ExplicitDenyPolicies", ()):
        sid = deny["PolicyStatement"].get("Sid", "(no Sid)")
        lines.append(f"deny: statement {sid} of {deny['PolicyArn']}")
    if details.get("FixNotProposed"):
        lines.append(f"no fix: {details['FixNotProposed']}")
    return lines


def fit(text: str, width: int) -> str:
    """Pad or cut `text` to `width` columns, marking a cut with an ellipsis."""
    if len(text) <= width:
        return text.ljust(width)
    return text[: width - 1] + "…"


class ProgressBar:
    """A count and rate on stderr, redrawn at most five times a second."""

    def __init__(self, stream: IO[str], enabled: bool) -> None:
        self._stream = stream
        self._enabled = enabled
        self._count = 0
        self._start = self._last = time.monotonic()

    def tick(self, count: int = 1) -> None:
        """Count `count` more records and redraw if it is time."""
        self._count += count
        if not self._enabled:
            return
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            self._draw(now)

    def close(self) -> None:
        """Draw the final count and end the line."""
        if self._enabled:
            self._draw(time.monotonic())
            self._stream.write("\n")
            self._stream.flush()

    def _draw(self, now: float) -> None:
        rate = self._count / max(now - self._start, 1e-9)
        self._stream.write(f"\ranalyzed {self._count:,} records ({rate:,.0f}/s)")
        self._stream.flush()
