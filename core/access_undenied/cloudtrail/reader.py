"""Read CloudTrail records from files, directory trees and streams, as users export.

Accepted shapes: log files `{"Records": [...]}` (plain or gzip, found by the magic
bytes), a single record, a JSON array, JSON Lines (or documents one after another),
`aws cloudtrail lookup-events` output and EventBridge deliveries. One file is in
memory at a time, so memory is bounded by the largest file. Bad input becomes a
`ReadError` and reading goes on.

Each file is turned into a list of items in one loop, and records that are not
kept (`iter_denials`) never become items: the reader runs at a few percent over
`json.loads` itself.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any, Callable, Optional, Union

from access_undenied.cloudtrail.messages import DENIAL_ERROR_CODES, is_denial_code
from access_undenied.cloudtrail.models import ReadError, ReadStats, RecordItem

logger = logging.getLogger(__name__)

Source = Union[str, "os.PathLike[str]", IO[bytes]]
Item = Union[RecordItem, ReadError]
Keep = Optional[Callable[[Any], bool]]

GZIP_MAGIC = b"\x1f\x8b"
DIGEST_MARKER = "CloudTrail-Digest"
EVENTBRIDGE_DETAIL_TYPE = "AWS API Call via CloudTrail"
LOOKUP_EVENT_KEY = "CloudTrailEvent"
EVENTBRIDGE_TYPE_KEY = "detail-type"
STDIN_NAME = "<stdin>"

DECODER = json.JSONDecoder()
WHITESPACE_RE = re.compile(r"[ \t\n\r]*")

# Errors that bytes which are not (valid, complete) JSON or gzip can raise.
DECODE_ERRORS = (ValueError, EOFError, OSError, zlib.error, RecursionError)


def is_denial(record: object) -> bool:
    """True where the record's `errorCode` is one AWS writes for a denial."""
    return isinstance(record, dict) and is_denial_code(record.get("errorCode"))


def keep_denial(record: dict[str, Any]) -> bool:
    """The filter of `iter_denials`, on a record known to be a dict."""
    code = record.get("errorCode")
    return type(code) is str and code in DENIAL_ERROR_CODES


def iter_records(source: Source, stats: ReadStats | None = None) -> Iterator[Item]:
    """Every record of a file, a directory tree, a binary stream or `-` (stdin)."""
    return iter_items(source, stats if stats is not None else ReadStats(), None)


def iter_denials(source: Source, stats: ReadStats | None = None) -> Iterator[Item]:
    """Like `iter_records`, keeping only denials (and errors); others are counted."""
    stats = stats if stats is not None else ReadStats()
    return iter_items(source, stats, keep_denial)


def iter_many(
    sources: Iterable[Source], stats: ReadStats | None = None
) -> Iterator[Item]:
    """`iter_denials` over several sources, with one set of counters."""
    stats = stats if stats is not None else ReadStats()
    for source in sources:
        yield from iter_items(source, stats, keep_denial)


def iter_items(source: Source, stats: ReadStats, keep: Keep) -> Iterator[Item]:
    """The items of every file of the source, file by file."""
    for name, data in iter_source_bytes(source, stats):
        if isinstance(data, ReadError):
            stats.errors += 1
            logger.warning("%s", data)
            yield data
            continue
        reader = FileReader(name, keep, stats)
        reader.read_bytes(data)
        yield from reader.items


def iter_source_bytes(
    source: Source, stats: ReadStats
) -> Iterator[tuple[str, bytes | ReadError]]:
    """(name, content) of each file of the source; a read failure is a ReadError."""
    if not isinstance(source, (str, os.PathLike)):
        stats.files += 1
        name = str(getattr(source, "name", "<stream>"))
        yield name, read_stream(source, name)
        return
    path = os.fspath(source)
    if path == "-":
        stats.files += 1
        yield STDIN_NAME, read_stream(sys.stdin.buffer, STDIN_NAME)
        return
    for file_path in walk_files(path) if os.path.isdir(path) else (path,):
        stats.files += 1
        yield file_path, read_file(file_path)


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


def read_file(path: str) -> bytes | ReadError:
    """The content of one file."""
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as exc:
        return ReadError(path, None, f"cannot read the file: {exc.strerror or exc}")


def read_stream(stream: IO[bytes], name: str) -> bytes | ReadError:
    """The content of a binary stream, read to its end."""
    try:
        data = stream.read()
    except (OSError, ValueError) as exc:
        return ReadError(name, None, f"cannot read the stream: {exc}")
    if not isinstance(data, bytes):
        return ReadError(name, None, "the stream is not binary; open it with 'rb'")
    return data


class FileReader:
    """Collects the items of one file: its records (those kept) and its errors."""

    def __init__(self, source: str, keep: Keep, stats: ReadStats) -> None:
        self.source = source
        self.keep = keep
        self.stats = stats
        self.items: list[Item] = []
        self.index = 0

    def read_bytes(self, data: bytes) -> None:
        """Decompress where gzip, then parse as one JSON document or JSON Lines."""
        if data[:2] == GZIP_MAGIC:
            try:
                data = gzip.decompress(data)
            except DECODE_ERRORS as exc:
                self.error(None, f"not a complete gzip file: {describe(exc)}")
                return
        if not data.strip():
            self.error(None, "the file is empty, not JSON")
            return

        try:
            document = json.loads(data)
        except DECODE_ERRORS as exc:
            self.read_json_sequence(data, exc)
            return
        self.read_document(document)

    def read_json_sequence(self, data: bytes, whole_error: Exception) -> None:
        """JSON Lines, or JSON documents one after another (`cat *.json.gz | ...`).

        A file whose first document does not parse is one error; after that, a
        document that does not parse is an error and reading resumes on the next line.
        """
        text = decode_text(data)
        if text is None:
            text = self.decode_good_lines(data)
        if text is None:
            self.error(None, f"not JSON: {describe(whole_error)}")
            return
        lines = LineCounter(text)
        position = skip_whitespace(text, 0)
        while position < len(text):
            try:
                document, end = DECODER.raw_decode(text, position)
            except DECODE_ERRORS as exc:
                if position == skip_whitespace(text, 0):
                    self.error(None, f"not JSON: {describe(whole_error)}")
                    return
                line = lines.line_of(position)
                self.error(self.next_index(), f"line {line}: {describe(exc)}")
                position = skip_whitespace(text, lines.next_line_start(position))
                continue
            self.read_document(document)
            position = skip_whitespace(text, end)

    def decode_good_lines(self, data: bytes) -> str | None:
        """UTF-8 text line by line: a line that is not UTF-8 is an error, not the file.

        Each bad line is blanked, so the line numbers of the others stay true.
        """
        lines = data.split(b"\n")
        texts: list[str] = []
        bad: list[int] = []
        for number, line in enumerate(lines, start=1):
            try:
                texts.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                texts.append("")
                bad.append(number)
        if len(bad) == len(lines):
            return None
        for number in bad:
            self.error(self.next_index(), f"line {number}: not UTF-8 text")
        return "\n".join(texts)

    def read_document(self, document: Any) -> None:
        """The records of one parsed JSON value, whatever envelope holds them."""
        if type(document) is list:
            self.read_records(document)
            return
        if type(document) is dict:
            records = envelope_records(document)
            if records is not None:
                self.read_envelope(records)
                return
        self.read_records((document,))

    def read_envelope(self, records: Any) -> None:
        """The list inside a `Records` or `Events` envelope."""
        if type(records) is not list:
            message = "the Records/Events member is not a JSON array"
            self.error(self.next_index(), message)
            return
        self.read_records(records)

    def read_records(self, elements: Iterable[Any]) -> None:
        """Add each element as a record; the common case stays in this loop."""
        keep, source, items = self.keep, self.source, self.items
        start = index = self.index
        kept = failed = 0
        record: dict[str, Any] | str
        for element in elements:
            if (
                type(element) is dict
                and LOOKUP_EVENT_KEY not in element
                and EVENTBRIDGE_TYPE_KEY not in element
            ):
                record = element
            else:
                record = unwrap(element)
                if isinstance(record, str):
                    self.error(index, record)
                    failed += 1
                    index += 1
                    continue
            if keep is None or keep(record):
                items.append(RecordItem(source, index, record))
                kept += 1
            index += 1
        self.index = index
        self.count(index - start - failed, kept)

    def count(self, records: int, kept: int) -> None:
        """Add a batch of records to the counters."""
        self.stats.records += records
        if self.keep is not None:
            self.stats.denials += kept
            self.stats.not_denials += records - kept

    def next_index(self) -> int:
        """Take the next record index for an item that is not a record."""
        index = self.index
        self.index += 1
        return index

    def error(self, index: int | None, message: str) -> None:
        """Add an error item, count it and log it."""
        error = ReadError(self.source, index, message)
        self.stats.errors += 1
        logger.warning("%s", error)
        self.items.append(error)


def decode_text(data: bytes) -> str | None:
    """The text of a JSON file in the encoding JSON allows (UTF-8, -16 or -32)."""
    try:
        return data.decode(json.detect_encoding(data))
    except (UnicodeDecodeError, LookupError):
        return None


def skip_whitespace(text: str, position: int) -> int:
    """The position of the next character that is not JSON whitespace."""
    match = WHITESPACE_RE.match(text, position)
    return match.end() if match else position


class LineCounter:
    """Line numbers of positions in a text, counted forward only once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.line = 1

    def line_of(self, position: int) -> int:
        """The 1-based line of a position at or after the last one asked."""
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line

    def next_line_start(self, position: int) -> int:
        """The position after the end of the line that holds `position`."""
        end = self.text.find("\n", position)
        return len(self.text) if end < 0 else end + 1


def envelope_records(document: dict[str, Any]) -> Any:
    """The `Records` (log file) or `Events` (lookup-events) member, if any."""
    if "Records" in document:
        return document["Records"]
    if "Events" in document and "eventVersion" not in document:
        return document["Events"]
    return None


def unwrap(element: Any) -> dict[str, Any] | str:
    """The record inside a lookup-events or EventBridge wrapper, or why not."""
    if type(element) is not dict:
        return f"a record must be a JSON object, not {type(element).__name__}"
    if LOOKUP_EVENT_KEY in element:
        return unwrap_lookup_event(element[LOOKUP_EVENT_KEY])
    if element.get(EVENTBRIDGE_TYPE_KEY) == EVENTBRIDGE_DETAIL_TYPE:
        return unwrap_eventbridge(element.get("detail"))
    return element


def unwrap_lookup_event(text: Any) -> dict[str, Any] | str:
    """`{"CloudTrailEvent": "<json>"}` from `aws cloudtrail lookup-events`."""
    if not isinstance(text, str):
        return "CloudTrailEvent is not a JSON string"
    try:
        record = json.loads(text)
    except DECODE_ERRORS as exc:
        return f"CloudTrailEvent is not JSON: {describe(exc)}"
    if type(record) is not dict:
        return f"CloudTrailEvent holds {type(record).__name__}, not an object"
    return record


def unwrap_eventbridge(detail: Any) -> dict[str, Any] | str:
    """`{"detail-type": "AWS API Call via CloudTrail", "detail": {...}}`."""
    if detail is None:
        return "an EventBridge delivery without its detail"
    if type(detail) is not dict:
        return f"the EventBridge detail is {type(detail).__name__}, not an object"
    return detail


def describe(exc: BaseException) -> str:
    """A short, single-line reason for a decoding error."""
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply"
    text = str(exc)
    return text.splitlines()[0][:200] if text.strip() else type(exc).__name__
