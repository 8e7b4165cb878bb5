"""Read CloudTrail records from files, directory trees and streams, as users export.

Accepted shapes: log files `{"Records": [...]}` (plain or gzip, found by the magic
bytes), a single record, a JSON array, JSON Lines, `aws cloudtrail lookup-events`
output and EventBridge deliveries. One file is in memory at a time, so memory is
bounded by the largest file. Bad input becomes a `ReadError` and reading goes on.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, Callable, Union

from access_undenied.cloudtrail.messages import is_denial_code
from access_undenied.cloudtrail.models import ReadError, ReadStats, RecordItem

logger = logging.getLogger(__name__)

Source = Union[str, "os.PathLike[str]", IO[bytes]]
Item = Union[RecordItem, ReadError]

GZIP_MAGIC = b"\x1f\x8b"
DIGEST_MARKER = "CloudTrail-Digest"
EVENTBRIDGE_DETAIL_TYPE = "AWS API Call via CloudTrail"
STDIN_NAME = "<stdin>"

# Errors that bytes which are not (valid, complete) JSON or gzip can raise.
DECODE_ERRORS = (ValueError, EOFError, OSError, zlib.error, RecursionError)


def is_denial(record: object) -> bool:
    """True where the record's `errorCode` is one AWS writes for a denial."""
    return isinstance(record, dict) and is_denial_code(record.get("errorCode"))


def iter_denials(source: Source, stats: ReadStats | None = None) -> Iterator[Item]:
    """Like `iter_records`, keeping only denials (and errors); others are counted."""
    stats = stats if stats is not None else ReadStats()
    for item in iter_records(source, stats):
        if isinstance(item, ReadError):
            yield item
        elif is_denial_code(item.record.get("errorCode")):
            stats.denials += 1
            yield item
        else:
            stats.not_denials += 1


def iter_records(source: Source, stats: ReadStats | None = None) -> Iterator[Item]:
    """Every record of a file, a directory tree, a binary stream or `-` (stdin)."""
    stats = stats if stats is not None else ReadStats()
    for item in iter_source(source, stats):
        if isinstance(item, ReadError):
            stats.errors += 1
            logger.warning("%s", item)
        else:
            stats.records += 1
        yield item


def iter_source(source: Source, stats: ReadStats) -> Iterator[Item]:
    """Dispatch on the kind of source."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if path == "-":
            stats.files += 1
            return iter_stream(sys.stdin.buffer, STDIN_NAME)
        return iter_path(path, stats)
    stats.files += 1
    return iter_stream(source, str(getattr(source, "name", "<stream>")))


def iter_path(path: str, stats: ReadStats) -> Iterator[Item]:
    """A file, or every file under a directory in sorted order, digests skipped."""
    if not os.path.isdir(path):
        stats.files += 1
        yield from iter_file(path)
        return
    for file_path in walk_files(path):
        stats.files += 1
        yield from iter_file(file_path)


def walk_files(root: str) -> Iterator[str]:
    """Files under `root`, sorted, leaving out CloudTrail digests and hidden files."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if DIGEST_MARKER not in name and not name.startswith(".")
        )
        for name in sorted(files):
            if DIGEST_MARKER in name or name.startswith("."):
                continue
            yield os.path.join(directory, name)


def iter_file(path: str) -> Iterator[Item]:
    """The records of one file."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as exc:
        yield ReadError(path, None, f"cannot read the file: {exc.strerror or exc}")
        return
    yield from iter_bytes(data, path)


def iter_stream(stream: IO[bytes], name: str) -> Iterator[Item]:
    """The records of a binary stream, read to its end."""
    try:
        data = stream.read()
    except (OSError, ValueError) as exc:
        yield ReadError(name, None, f"cannot read the stream: {exc}")
        return
    if not isinstance(data, bytes):
        yield ReadError(name, None, "the stream is not binary; open it with 'rb'")
        return
    yield from iter_bytes(data, name)


def iter_bytes(data: bytes, source: str) -> Iterator[Item]:
    """Decompress where gzip, then parse as one JSON document or as JSON Lines."""
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except DECODE_ERRORS as exc:
            yield ReadError(source, None, f"not a complete gzip file: {exc}")
            return
    if not data.strip():
        yield ReadError(source, None, "the file is empty, not JSON")
        return

    try:
        document = json.loads(data)
    except DECODE_ERRORS as exc:
        yield from iter_json_lines(data, source, exc)
        return
    yield from iter_document(document, source, Position())


def iter_json_lines(data: bytes, source: str, whole_error: Exception) -> Iterator[Item]:
    """Parse JSON Lines; a file that is not that either is one error."""
    lines = data.splitlines()
    if len(lines) < 2 or not parses(next(line for line in lines if line.strip())):
        yield ReadError(source, None, f"not JSON: {describe(whole_error)}")
        return
    position = Position()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            document = json.loads(line)
        except DECODE_ERRORS as exc:
            yield ReadError(source, position.next(), f"line {number}: {describe(exc)}")
            continue
        yield from iter_document(document, source, position)


def parses(line: bytes) -> bool:
    """True where one line holds a whole JSON value: the mark of JSON Lines."""
    try:
        json.loads(line)
    except DECODE_ERRORS:
        return False
    return True


class Position:
    """The running record index within one source."""

    def __init__(self) -> None:
        self.value = -1

    def next(self) -> int:
        """Advance and return the index of the next record."""
        self.value += 1
        return self.value


def iter_document(document: Any, source: str, position: Position) -> Iterator[Item]:
    """The records of one parsed JSON value, whatever envelope holds them."""
    if isinstance(document, list):
        for element in document:
            yield from unwrap_record(element, source, position)
        return
    if isinstance(document, dict):
        records = envelope_records(document)
        if records is not None:
            yield from iter_envelope(records, source, position)
            return
    yield from unwrap_record(document, source, position)


def iter_envelope(records: object, source: str, position: Position) -> Iterator[Item]:
    """The list inside a `Records` or `Events` envelope."""
    if not isinstance(records, list):
        message = "the Records/Events member is not a JSON array"
        yield ReadError(source, position.next(), message)
        return
    for element in records:
        yield from unwrap_record(element, source, position)


def envelope_records(document: dict[str, Any]) -> Any:
    """The `Records` (log file) or `Events` (lookup-events) member, if any."""
    if "Records" in document:
        return document["Records"]
    if "Events" in document and "eventVersion" not in document:
        return document["Events"]
    return None


def unwrap_record(element: object, source: str, position: Position) -> Iterator[Item]:
    """One record, taken out of a lookup-events or EventBridge wrapper if need be."""
    index = position.next()
    if not isinstance(element, dict):
        kind = type(element).__name__
        yield ReadError(source, index, f"a record must be a JSON object, not {kind}")
        return
    for unwrap in UNWRAPPERS:
        record = unwrap(element)
        if record is not None:
            yield as_item(record, source, index)
            return
    yield RecordItem(source, index, element)


def unwrap_lookup_event(element: dict[str, Any]) -> Any:
    """`{"CloudTrailEvent": "<json>"}` from `aws cloudtrail lookup-events`."""
    text = element.get("CloudTrailEvent")
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except DECODE_ERRORS as exc:
        return ReadError("", None, f"CloudTrailEvent is not JSON: {describe(exc)}")


def unwrap_eventbridge(element: dict[str, Any]) -> Any:
    """`{"detail-type": "AWS API Call via CloudTrail", "detail": {...}}`."""
    if element.get("detail-type") != EVENTBRIDGE_DETAIL_TYPE:
        return None
    detail = element.get("detail")
    if detail is None:
        return ReadError("", None, "an EventBridge delivery without its detail")
    return detail


UNWRAPPERS: tuple[Callable[[dict[str, Any]], Any], ...] = (
    unwrap_lookup_event,
    unwrap_eventbridge,
)


def as_item(record: object, source: str, index: int) -> Item:
    """The unwrapped record, or the error that unwrapping it found."""
    if isinstance(record, ReadError):
        return ReadError(source, index, record.message)
    if not isinstance(record, dict):
        kind = type(record).__name__
        return ReadError(source, index, f"the wrapped record is {kind}, not an object")
    return RecordItem(source, index, record)


def describe(exc: BaseException) -> str:
    """A short, single-line reason for a decoding error."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def iter_many(
    sources: Iterable[Source], stats: ReadStats | None = None
) -> Iterator[Item]:
    """`iter_records` over several sources, with one set of counters."""
    stats = stats if stats is not None else ReadStats()
    for source in sources:
        yield from iter_records(source, stats)
