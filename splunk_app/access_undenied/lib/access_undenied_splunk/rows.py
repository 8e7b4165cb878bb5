"""Result rows as splunklib writes them, built with str methods instead of csv.

splunklib's `RecordWriter._write_record` turns each record into cells in a Python
loop of type checks, then hands them to `csv.writer`, whose C loop copies every
character one at a time. That is most of the command's cost once the request cache
answers. For the values that reach the writer here (text from splunkd and the
enrichment, None, lists of text) a cell is the text itself, or the text in quotes
with its quotes doubled: `in` and `replace` do that over the whole value at C speed.

`RowWriter` builds those rows and hands any other record to the SDK's own method,
so the bytes never differ from the SDK's (tests/splunk/test_splunk_rows.py compares
the two on both Splunk interpreters). It relies on the RecordWriter internals of
splunk-sdk 3.0.1, which splunk_app/build.py pins; `install` refuses a writer that
lacks them.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Mapping
from typing import Any, Optional

logger = logging.getLogger(__name__)

# The RecordWriter attributes the fast path reads or sets (splunk-sdk 3.0.1).
WRITER_ATTRIBUTES = (
    "_fieldnames",
    "_buffer",
    "_writer",
    "_pending_record_count",
    "_maxresultrows",
    "flush",
    "_write_record",
)
# Characters that may make csv's QUOTE_MINIMAL quote a cell besides the quote
# character: the delimiter, line ends, and NUL, which Python 3.9's csv quotes and
# later versions do not. `quoted_characters` asks this interpreter's csv.
CANDIDATES = (",", "\r", "\n", "\x00")
EMPTY_PAIR = ","  # a value's cell and its __mv_ cell, both empty

Cells = Optional[str]


def plain_dialect(dialect: Any) -> bool:
    """Say whether `dialect` is the one the fast path writes: Splunk's CSV."""
    return (
        dialect.delimiter == ","
        and dialect.quotechar == '"'
        and dialect.doublequote
        and dialect.escapechar is None
        and dialect.quoting == csv.QUOTE_MINIMAL
    )


def quoted_characters(dialect: Any) -> tuple[str, ...]:
    """The CANDIDATES that make this interpreter's csv quote a cell."""
    found = []
    for character in CANDIDATES:
        buffer = io.StringIO()
        csv.writer(buffer, dialect=dialect).writerow([character, ""])
        if buffer.getvalue().startswith('"'):
            found.append(character)
    return tuple(found)


def make_quote(special: tuple[str, ...]) -> Callable[[str], str]:
    """The QUOTE_MINIMAL encoding of one text cell, as csv writes it."""

    def quote(value: str) -> str:
        if '"' in value:
            return '"' + value.replace('"', '""') + '"'
        for character in special:
            if character in value:
                return '"' + value + '"'
        return value

    return quote


def make_pair(quote: Callable[[str], str]) -> Callable[[Any], Cells]:
    """The cell and `__mv_` cell of one value, joined by a comma; None if the SDK
    must write it (any value other than text, None, or a list or tuple of text)."""

    def pair(value: Any) -> Cells:
        kind = type(value)
        if kind is str:
            return quote(value) + ","

        if value is None:
            return EMPTY_PAIR

        if kind is not list and kind is not tuple:
            return None

        return multivalue_pair(value, quote)

    return pair


def multivalue_pair(values: Any, quote: Callable[[str], str]) -> Cells:
    """The cells of a list: empty, its one value, or lines and `$a$;$b$`.

    The SDK writes a one-value list as that value and joins longer ones with
    newlines, beside each value in dollars with its own dollars doubled.
    """
    for item in values:
        if type(item) is not str:
            return None

    if not values:
        return EMPTY_PAIR

    if len(values) == 1:
        return quote(values[0]) + ","

    escaped = "$;$".join([item.replace("$", "$$") for item in values])
    return quote("\n".join(values)) + "," + quote("$" + escaped + "$")


class RowWriter:
    """Writes a RecordWriter's rows; what it cannot write goes to the SDK's method."""

    def __init__(self, writer: Any) -> None:
        """Wrap `writer`, a splunklib RecordWriter whose dialect it reads once."""
        self._writer = writer
        self._sdk_write = type(writer)._write_record.__get__(writer)
        dialect = writer._writer.dialect
        self._end = dialect.lineterminator
        self._pair = make_pair(make_quote(quoted_characters(dialect)))

    def write_record(self, record: Mapping[str, Any]) -> None:
        """Write one record as `RecordWriter._write_record` would."""
        writer = self._writer
        fieldnames = writer._fieldnames
        row = None if fieldnames is None else self._row(record, fieldnames)
        if row is None:
            # The first record of a chunk (the SDK writes the header) or a value
            # the fast path does not take.
            self._sdk_write(record)
            return

        writer._buffer.write(row)
        writer._pending_record_count += 1
        if writer._pending_record_count >= writer._maxresultrows:
            writer.flush(partial=True)

    def _row(self, record: Mapping[str, Any], fieldnames: list[str]) -> Cells:
        get = record.get
        pair = self._pair
        pairs = []
        for name in fieldnames:
            cells = pair(get(name))
            if cells is None:
                return None
            pairs.append(cells)

        return ",".join(pairs) + self._end


def install(writer: Any) -> bool:
    """Make `writer` write its rows through a RowWriter; say whether it does.

    A writer without the expected internals (another SDK version) is left as it
    is, with a warning: slower, never wrong.
    """
    missing = [name for name in WRITER_ATTRIBUTES if not hasattr(writer, name)]
    if missing or not isinstance(writer._buffer, io.StringIO):
        logger.warning("splunklib's RecordWriter lacks %s: rows left to it", missing)
        return False

    if not plain_dialect(writer._writer.dialect):
        logger.warning("splunklib writes another CSV dialect: rows left to it")
        return False

    writer._write_record = RowWriter(writer).write_record
    return True
