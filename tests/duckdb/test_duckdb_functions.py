"""explain_denial, explain_denial_json and simulate_request, called from SQL."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import access_undenied
import pytest
from access_undenied.analyze import Analyzer, explain_text
from access_undenied.analyze.fields import FLAT_FIELDS, flatten_result
from access_undenied.errors import SnapshotError
from access_undenied.snapshot import Snapshot
from duckdb_trees import example_records, not_a_denial

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb import register, unregister  # noqa: E402
from access_undenied_duckdb.functions import RowFunctions  # noqa: E402

ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def first_denial() -> dict[str, Any]:
    """The first example record that is a missing identity allow."""
    for record in example_records():
        if "because no identity-based policy allows" in record.get("errorMessage", ""):
            return record
    raise AssertionError("the examples hold no missing identity allow")


def explain(con: Any, argument: Any) -> Any:
    """explain_denial(?) of one value, as a dict."""
    return con.execute("SELECT explain_denial(?::VARCHAR)", [argument]).fetchall()[0][0]


@pytest.fixture
def registered(con: Any, snapshot: Snapshot) -> Any:
    """A connection with everything registered on the example snapshot."""
    register(con, snapshot=snapshot)
    return con


def test_the_struct_has_the_flat_fields_in_order(registered: Any) -> None:
    result = registered.execute("SELECT unnest(explain_denial('{}'))")
    columns = [(column[0], str(column[1])) for column in result.description]

    assert [name for name, _ in columns] == list(FLAT_FIELDS)
    types = dict(columns)
    assert types["denied_by"] == types["unsupported"] == "VARCHAR[]"
    assert types["fix_policy"] == "JSON"


def test_a_denial_is_explained_like_the_analyzer_does(
    registered: Any, snapshot: Snapshot
) -> None:
    record = first_denial()
    expected = flatten_result(Analyzer(snapshot).explain_record(record))

    row = explain(registered, json.dumps(record))

    assert row["reason_code"] == "identity_policy_missing_allow"
    assert row["fix_policy"] is not None
    fix = expected.pop("fix_policy")
    assert json.loads(row.pop("fix_policy")) == json.loads(fix)
    assert row == expected


def test_a_struct_argument_gives_the_same_row_as_text(registered: Any) -> None:
    text = json.dumps(first_denial())

    as_text, as_struct = registered.execute(
        "SELECT explain_denial(?::VARCHAR), "
        "explain_denial(from_json(?::VARCHAR, json_structure(?::VARCHAR)))",
        [text, text, text],
    ).fetchall()[0]

    assert as_struct == as_text


@pytest.mark.parametrize(
    "function", ["explain_denial", "explain_denial_json", "simulate_request"]
)
def test_null_gives_null(registered: Any, function: str) -> None:
    rows = registered.execute(f"SELECT {function}(NULL), {function}(NULL::JSON)")
    assert rows.fetchall() == [(None, None)]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", "not JSON"),
        ('{"Records": [', "not JSON"),
        ("", "not JSON"),
        ("[1, 2]", "not a record"),
        ("42", "not a record"),
    ],
    ids=["words", "truncated", "empty", "array", "number"],
)
def test_text_that_is_not_a_record_gives_an_error_row(
    registered: Any, text: str, says: str
) -> None:
    row = explain(registered, text)
    assert row["reason_code"] == "error"
    assert says in row["error"]


def test_a_record_that_is_not_a_denial_says_so(registered: Any) -> None:
    row = explain(registered, json.dumps(not_a_denial(first_denial(), 1)))
    assert row["reason_code"] == "not_a_denial"
    assert row["event_id"] == "success-000001"


def test_bad_rows_never_fail_the_query(registered: Any) -> None:
    good = json.dumps(first_denial())
    success = json.dumps(not_a_denial(first_denial(), 2))
    registered.execute("CREATE TABLE events (event VARCHAR)")
    registered.executemany(
        "INSERT INTO events VALUES (?)",
        [[good], ["not json"], [None], ["[]"], [success], [good]],
    )

    rows = registered.execute(
        "SELECT e.reason_code, count(*) FROM "
        "(SELECT explain_denial(event) AS e FROM events) GROUP BY ALL ORDER BY 1"
    ).fetchall()

    assert rows == [
        ("error", 2),
        ("identity_policy_missing_allow", 2),
        ("not_a_denial", 1),
        (None, 1),
    ]


def test_a_bug_in_one_row_gives_an_error_row(
    monkeypatch: Any, snapshot: Snapshot
) -> None:
    def broken(self: Any, record: Any, source: Any, index: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Analyzer, "explain", broken)
    functions = RowFunctions(Analyzer(snapshot), access_undenied.simulate)

    flat = json.loads(functions.explain_flat("{}") or "")
    full = json.loads(functions.explain_full("{}") or "")

    assert flat["reason_code"] == "error"
    assert "RuntimeError: boom" in flat["error"]
    assert full["ReasonCode"] == "error"


def test_explain_denial_json_is_the_full_result(
    registered: Any, snapshot: Snapshot
) -> None:
    record = first_denial()
    expected = Analyzer(snapshot).explain_record(record)

    text = registered.execute(
        "SELECT explain_denial_json(?::VARCHAR)", [json.dumps(record)]
    ).fetchall()[0][0]

    assert json.loads(text) == json.loads(json.dumps(expected))


def test_simulate_request_is_the_engine_contract(registered: Any) -> None:
    request = {
        "principal": "arn:aws:iam::111122223333:role/app",
        "action": "s3:GetObject",
        "resource": "arn:aws:s3:::bucket/key",
        "identity_policies": [ALLOW_ALL],
    }
    denied = dict(request, action="sqs:SendMessage", resource="*")

    rows = registered.execute(
        "SELECT simulate_request(?::VARCHAR), simulate_request(?::VARCHAR)",
        [json.dumps(request), json.dumps(denied)],
    ).fetchall()[0]

    assert json.loads(rows[0]) == access_undenied.simulate(request)
    assert json.loads(rows[0])["decision"] == "Allowed"
    assert json.loads(rows[1])["decision"] == "ImplicitlyDenied"


@pytest.mark.parametrize(
    ("request_text", "says"),
    [("nope", "not JSON"), ("[]", "JSON object"), ("{}", "principal")],
    ids=["not-json", "array", "missing-fields"],
)
def test_a_bad_simulate_request_gives_an_error(
    registered: Any, request_text: str, says: str
) -> None:
    text = registered.execute(
        "SELECT simulate_request(?::VARCHAR)", [request_text]
    ).fetchall()[0][0]
    assert says in json.loads(text)["error"]


def test_registering_again_swaps_the_snapshot(
    con: Any, snapshot_document: dict[str, Any]
) -> None:
    record = first_denial()
    principal = record["userIdentity"]["arn"]
    granting = grant_everything(snapshot_document, principal)
    register(con, snapshot=Snapshot.from_document(snapshot_document))
    before = explain(con, json.dumps(record))["reason_code"]

    register(con, snapshot=Snapshot.from_document(granting))
    after = explain(con, json.dumps(record))["reason_code"]

    assert before == "identity_policy_missing_allow"
    assert after == "not_reproduced"


def grant_everything(document: dict[str, Any], user_arn: str) -> dict[str, Any]:
    """A copy of the document where the user has an inline policy allowing all."""
    changed = copy.deepcopy(document)
    for account in changed["accounts"].values():
        for user in account["UserDetailList"]:
            if user["Arn"] == user_arn:
                allow = {"Effect": "Allow", "Action": "*", "Resource": "*"}
                user.setdefault("UserPolicyList", []).append(
                    {
                        "PolicyName": "everything",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [allow],
                        },
                    }
                )
                return changed
    raise AssertionError(f"{user_arn} is not a user of the snapshot")


def test_a_snapshot_that_fails_to_load_keeps_the_old_registration(
    con: Any, snapshot: Snapshot, tmp_path: Path
) -> None:
    register(con, snapshot=snapshot)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": 1,')

    with pytest.raises(SnapshotError):
        register(con, snapshot=broken)

    assert explain(con, json.dumps(first_denial()))["reason_code"] != "error"
    assert con.execute("SELECT count(*) FROM snapshot_principals").fetchall()[0][0] > 0


def test_a_path_registers_like_a_loaded_snapshot(
    con: Any, snapshot_path: Path, snapshot: Snapshot
) -> None:
    registration = register(con, snapshot=str(snapshot_path))
    assert registration.snapshot.account_ids == snapshot.account_ids
    assert explain(con, json.dumps(first_denial()))["reason_code"] == (
        "identity_policy_missing_allow"
    )


def test_a_cursor_is_registered_with_the_loaded_snapshot(
    con: Any, snapshot: Snapshot
) -> None:
    registration = register(con, snapshot=snapshot)
    cursor = con.cursor()

    # Macros and tables are TEMP objects of one client context, and a cursor is
    # another: it is registered on its own, with the snapshot already loaded.
    register(cursor, snapshot=registration.snapshot)

    text = json.dumps(first_denial())
    for connection in (con, cursor):
        row = explain(connection, text)
        assert row["reason_code"] == "identity_policy_missing_allow"


def test_unregister_removes_everything(registered: Any) -> None:
    unregister(registered)

    for query in (
        "SELECT explain_denial('{}')",
        "SELECT count(*) FROM snapshot_principals",
        "SELECT * FROM cloudtrail_denials('x')",
    ):
        with pytest.raises(duckdb.CatalogException, match="does not exist"):
            registered.execute(query)
    assert python_functions(registered) == []


def python_functions(con: Any) -> list[str]:
    """The adapter's Python functions in the catalog."""
    rows = con.execute(
        "SELECT function_name FROM duckdb_functions() "
        "WHERE starts_with(function_name, '_access_undenied_')"
    ).fetchall()
    return sorted(row[0] for row in rows)


def test_registering_again_leaves_one_set_of_functions(
    registered: Any, snapshot: Snapshot
) -> None:
    first = python_functions(registered)

    register(registered, snapshot=snapshot)

    second = python_functions(registered)
    assert len(first) == len(second) == 4  # explain_flat, _full, simulate, read
    assert set(first).isdisjoint(second)


def test_anything_else_than_a_snapshot_is_refused(con: Any) -> None:
    with pytest.raises(TypeError, match="snapshot must be"):
        register(con, snapshot=42)  # type: ignore[arg-type]


def test_a_repeated_request_keeps_each_records_event_id(
    registered: Any, snapshot: Snapshot
) -> None:
    first = first_denial()
    again = dict(first, eventID="again-000001")
    other = next(
        r
        for r in example_records()
        if r["eventID"] != first["eventID"] and r.get("errorCode")
    )
    texts = [json.dumps(r) for r in (first, other, again, first)]

    rows = [explain(registered, text) for text in texts]

    analyzer = Analyzer(snapshot)
    expected = [flatten_result(analyzer.explain_record(json.loads(t))) for t in texts]
    assert [row["event_id"] for row in rows] == [e["event_id"] for e in expected]
    for row, flat in zip(rows, expected):
        assert row["reason_code"] == flat["reason_code"]
        assert row["explanation"] == flat["explanation"]
    assert rows[0] == rows[3]
    assert {**rows[2], "event_id": None} == {**rows[0], "event_id": None}


def test_the_registration_reports_what_it_created(con: Any, snapshot: Snapshot) -> None:
    registration = register(con, snapshot=snapshot)

    assert set(registration.functions) == {
        "explain_denial",
        "explain_denial_json",
        "simulate_request",
        "cloudtrail_denials",
    }
    for table, count in registration.tables.items():
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()
        assert rows == [(count,)], table


@pytest.mark.parametrize(
    "text", ["not json", '{"eventID": "x"}', "[1]"], ids=["not-json", "ok", "array"]
)
def test_every_row_equals_the_cores_explain_text(
    registered: Any, snapshot: Snapshot, text: str
) -> None:
    expected = explain_text(Analyzer(snapshot), text)

    full = registered.execute("SELECT explain_denial_json(?::VARCHAR)", [text])

    assert json.loads(full.fetchall()[0][0]) == expected
