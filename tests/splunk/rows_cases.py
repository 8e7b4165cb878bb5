"""Records through splunklib's RecordWriterV2, with and without RowWriter installed.

Imported by test_splunk_rows.py, and run as a script by each Splunk interpreter
(csv quotes differently across Python versions):

    python rows_cases.py <app lib folder> [--break-quotes]

prints a JSON report: the bytes of every case must be the same on both writers.
"""

from __future__ import annotations

import io
import json
import random
import sys
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

Chunk = Sequence[Any]
Case = tuple[str, Sequence[Chunk]]

# Texts csv treats specially, and text that it does not.
AWKWARD = (
    "",
    "plain",
    'say "hi"',
    '"',
    "a,b",
    "line\nbreak",
    "cr\rhere",
    "crlf\r\n",
    "$5 and $$",
    "$",
    "nul\x00char",
    "\x00",
    "caf\u00e9 \u6f22\u5b57 \U0001f600",
    " leading and trailing ",
    "\t\x0b\x0c\x1c\u2028\u0085",
    '{"eventName": "GetObject", "key": "a,b"}',
)


class Tagged(str):
    """A str subclass: the SDK writes it as its repr."""


def enriched(index: int, raw: str) -> OrderedDict[str, Any]:
    """A record as the command yields it: splunkd's fields, then the au_ fields."""
    record: OrderedDict[str, Any] = OrderedDict()
    record["_time"] = str(1_795_600_000 + index)
    record["_raw"] = raw
    record["host"] = "cloudtrail-bucket"
    record["tags"] = ["a$b", "c,d"] if index % 3 == 0 else ""
    record["au_event_id"] = f"id-{index}"
    record["au_reason_code"] = "scp_explicit_deny"
    record["au_explanation"] = AWKWARD[index % len(AWKWARD)]
    record["au_denied_by"] = [["scp", "identity"], "scp", None][index % 3]
    record["au_unsupported"] = None
    record["au_error"] = None
    return record


def command_cases() -> Iterator[Case]:
    """Chunks shaped like the command's output."""
    raws = [json.dumps({"eventID": str(i), "note": t}) for i, t in enumerate(AWKWARD)]
    records = [enriched(i, raw) for i, raw in enumerate(raws * 3)]
    yield "command-output", [records[:20], records[20:]]


def value_cases() -> Iterator[Case]:
    """Each awkward value, and each kind of value, in every position."""
    values: list[Any] = [*AWKWARD, None, [], [""], ["one"], ("x", "y")]
    values += [list(AWKWARD), ["$", "$$", ""], ["a", "b", "c"], ["\x00", "x"]]
    values += [7, 2.5, True, False, b"bytes", {"k": "v"}, ["a", None], [None]]
    values += [[1, 2], [None, None], Tagged("tagged"), [Tagged("t"), "u"], ("z",)]
    for index, value in enumerate(values):
        before = {"first": "x", "value": value, "last": "y"}
        after = {"first": value, "value": "plain", "last": value}
        yield f"value-{index}", [[before, after, before], [after, before]]


def shape_cases() -> Iterator[Case]:
    """Fields that come late, go missing, or hold nothing, across chunks."""
    first = {"a": "1", "b": "2"}
    yield "late-field-dropped", [[first, {"a": "3", "b": "4", "c": "5"}]]
    yield "missing-field-empty", [[first, {"b": "6"}, {}]]
    yield "new-chunk-new-header", [[first], [{"c": "7", "a": "8"}, first]]
    yield "no-fields", [[{}, {}]]
    yield "one-field", [[{"a": ""}, {"a": ""}, {"a": None}, {"a": "x"}]]
    yield "empty-chunk", [[], [first]]


def code_point_cases() -> Iterator[Case]:
    """Every code point but surrogates: ASCII alone and inside text, the rest in
    runs of 256 that no quoting character hides (one would quote the whole run)."""
    ascii_cells = {f"c{p}": chr(p) for p in range(128)}
    ascii_cells.update({f"t{p}": f"a{chr(p)}b" for p in range(128)})
    yield "code-points-ascii", [[ascii_cells, ascii_cells]]

    points = [p for p in range(128, 0x110000) if not 0xD800 <= p < 0xE000]
    runs = {
        f"r{start}": "".join(chr(p) for p in points[start : start + 256])
        for start in range(0, len(points), 256)
    }
    yield "code-points-runs", [[runs, runs]]


def random_cases(seed: int = 7, count: int = 40) -> Iterator[Case]:
    """Records of random values drawn from awkward pieces."""
    rng = random.Random(seed)
    pieces = [*AWKWARD, "$;$", '""', ",,", "\n\n"]

    def value() -> Any:
        roll = rng.random()
        if roll < 0.1:
            return None
        if roll < 0.3:
            return [text() for _ in range(rng.randrange(0, 4))]
        return text()

    def text() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 4)))

    for index in range(count):
        names = [f"n{i}" for i in range(rng.randrange(1, 8))]
        records = [{n: value() for n in names if rng.random() < 0.9} for _ in range(6)]
        yield f"random-{index}", [records]


def all_cases() -> Iterator[Case]:
    """Every case of this module."""
    yield from command_cases()
    yield from value_cases()
    yield from shape_cases()
    yield from code_point_cases()
    yield from random_cases()


def write(chunks: Sequence[Chunk], fast: bool, counts: dict[str, int]) -> str:
    """What RecordWriterV2 sends for `chunks`, with RowWriter if `fast`: its bytes,
    then the error that stopped it (the SDK fails on some values; so must we)."""
    from access_undenied_splunk.rows import install
    from splunklib.searchcommands.internals import RecordWriterV2

    output = io.BytesIO()
    writer = RecordWriterV2(output, maxresultrows=4)
    writer.custom_fields.add("custom")
    if fast:
        if not install(writer):
            raise RuntimeError("RowWriter refused the vendored RecordWriterV2")
        count_rows(writer, counts)

    try:
        for chunk in chunks:
            writer.write_records(chunk)
            writer.write_chunk(finished=False)
        writer.flush(finished=True)
    except Exception as exc:  # compared, not hidden: both writers must fail alike
        return repr(output.getvalue()) + repr(exc)
    return repr(output.getvalue())


def count_rows(writer: Any, counts: dict[str, int]) -> None:
    """Count the rows the RowWriter built itself and those it left to the SDK."""
    rows = writer._write_record.__self__
    sdk_write = rows._sdk_write
    build_row = rows._row

    def to_sdk(record: Any) -> None:
        counts["sdk"] += 1
        sdk_write(record)

    def row(record: Any, fieldnames: list[str]) -> Any:
        built = build_row(record, fieldnames)
        counts["fast"] += built is not None
        return built

    rows._sdk_write = to_sdk
    rows._row = row


def break_quotes() -> None:
    """Make RowWriter forget to double quotes: the comparison must see it."""
    from access_undenied_splunk import rows

    original = rows.make_quote

    def careless(special: tuple[str, ...]) -> Any:
        quote = original(special)
        return lambda value: quote(value.replace('"', "'"))

    rows.make_quote = careless


def compare(cases: Iterator[Case]) -> dict[str, Any]:
    """Write each case both ways; report the cases whose bytes differ."""
    counts = {"fast": 0, "sdk": 0}
    differ = []
    total = 0
    for name, chunks in cases:
        total += 1
        if write(chunks, False, counts) != write(chunks, True, counts):
            differ.append(name)
    return {"cases": total, "differ": differ, "rows": counts}


def main(argv: list[str]) -> int:
    """Put the app's lib folder first on the path, compare, print the report."""
    sys.path.insert(0, argv[0])
    if "--break-quotes" in argv:
        break_quotes()
    print(json.dumps(compare(all_cases())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
