"""One CloudTrail file's bytes, read by the core's reader and explained, per denial.

`cloudtrail_denials` hands each file to `FileExplainer.read` whole (DuckDB's
`read_blob`), so a file that is truncated, not JSON or in an odd envelope costs its
own error rows, as in the CLI, and the query goes on with the other files. DuckDB's
own JSON readers fail the whole query on such a file. Each denial is explained from
the record the reader parsed, so its text is parsed once.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from access_undenied.analyze.batch import batch_gc
from access_undenied.cloudtrail.models import ReadError, RecordItem
from access_undenied.cloudtrail.reader import iter_denials

from access_undenied_duckdb.fields import encode_flat_row, error_row

logger = logging.getLogger(__name__)

# The STRUCT `FileExplainer.read` returns: parallel lists, one item per denial or
# error. `record` holds a denial's JSON text (NULL for an error); `explained` the
# flat row that `from_json` reads into `explain_denial`'s STRUCT.
READ_FIELDS = ("record_index", "record", "explained")

ENCODE_RECORD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# A parsed record -> its flat row, as JSON text; never raises.
ExplainParsed = Callable[[Mapping[str, Any]], str]


class FileExplainer:
    """Reads one file's bytes into its denials, explained, and its read errors."""

    def __init__(self, explain: ExplainParsed) -> None:
        self._explain = explain

    def read(self, filename: str | None, content: bytes | None) -> dict[str, Any]:
        """The items of one file, in reading order, as the STRUCT DuckDB unnests."""
        items = FileItems()
        if filename is None or content is None:
            return items.as_struct()
        try:
            with batch_gc():  # a file's records are many objects and no cycles
                self._add_all(items, filename, content)
        except Exception as exc:  # a bug must cost the file, not the query
            logger.exception("reading %s failed", filename)
            message = f"internal error: {type(exc).__name__}: {exc}"
            items.add_error(ReadError(filename, None, message))
        return items.as_struct()

    def _add_all(self, items: FileItems, filename: str, content: bytes) -> None:
        for item in iter_denials(NamedBytes(content, filename)):
            if isinstance(item, RecordItem):
                items.add_record(item, self._explain(item.record))
            else:
                items.add_error(item)


class FileItems:
    """The parallel lists of one file's items."""

    def __init__(self) -> None:
        self.indexes: list[int | None] = []
        self.records: list[str | None] = []
        self.explained: list[str] = []

    def add_record(self, item: RecordItem, explained: str) -> None:
        """A denial, as JSON text, with its flat row."""
        self.indexes.append(item.index)
        self.records.append(ENCODE_RECORD(item.record))
        self.explained.append(explained)

    def add_error(self, error: ReadError) -> None:
        """An error, as the flat row of a result naming the file (and index)."""
        self.indexes.append(error.index)
        self.records.append(None)
        self.explained.append(encode_flat_row(error_row(str(error))))

    def as_struct(self) -> dict[str, Any]:
        """The lists as the STRUCT DuckDB unnests."""
        return dict(zip(READ_FIELDS, (self.indexes, self.records, self.explained)))


class NamedBytes(io.BytesIO):
    """A file's bytes with its name, which the reader gives its items."""

    def __init__(self, content: bytes, name: str) -> None:
        super().__init__(content)
        self.name = name
