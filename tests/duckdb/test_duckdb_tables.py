"""The snapshot tables hold exactly what the snapshot document holds."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from access_undenied.snapshot import Snapshot

duckdb = pytest.importorskip(
    "duckdb", reason="DuckDB is not installed (the `duckdb` extra, Python 3.11+)"
)

from access_undenied_duckdb.tables import TABLES, create_tables  # noqa: E402

INLINE_LISTS = (
    ("UserDetailList", "UserPolicyList"),
    ("RoleDetailList", "RolePolicyList"),
    ("GroupDetailList", "GroupPolicyList"),
)


def statements_in(document: Any) -> int:
    """How many statements a raw policy document holds."""
    statement = document.get("Statement", [])
    return len(statement) if isinstance(statement, list) else 1


def default_version(policy: Mapping[str, Any]) -> Any:
    """The default version's document of a managed policy entry, or None."""
    for version in policy.get("PolicyVersionList", []):
        if version.get("IsDefaultVersion"):
            return version["Document"]
    return None


def raw_documents(document: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(policy id, document) of every distinct policy, read from the raw document."""
    for account in document["accounts"].values():
        for list_name, inline_name in INLINE_LISTS:
            for entry in account.get(list_name, []):
                for inline in entry.get(inline_name, []):
                    policy_id = f"{entry['Arn']}/{inline['PolicyName']}"
                    yield policy_id, inline["PolicyDocument"]
        for role in account.get("RoleDetailList", []):
            if "AssumeRolePolicyDocument" in role:
                trust = role["AssumeRolePolicyDocument"]
                yield f"{role['Arn']}/AssumeRolePolicyDocument", trust
        for policy in account.get("Policies", []):
            if default_version(policy) is not None:
                yield policy["Arn"], default_version(policy)
    for node in ((document.get("organization") or {}).get("nodes") or {}).values():
        for policy in node["policies"]:
            yield policy["Arn"], policy["PolicyDocument"]
    for arn, entry in document["resource_policies"].items():
        yield arn, entry["policy"]


def expected_counts(document: Mapping[str, Any]) -> dict[str, int]:
    """Row counts of each table, counted on the raw snapshot document."""
    accounts = document["accounts"].values()
    nodes = ((document.get("organization") or {}).get("nodes") or {}).values()
    policies = dict(raw_documents(document))
    return {
        "snapshot_principals": sum(
            len(a.get("UserDetailList", [])) + len(a.get("RoleDetailList", []))
            for a in accounts
        ),
        "snapshot_policies": len(policies),
        "snapshot_statements": sum(statements_in(d) for d in policies.values()),
        "snapshot_organization_nodes": len(list(nodes)),
        "snapshot_organization_attachments": sum(len(n["policies"]) for n in nodes),
        "snapshot_resource_policies": len(document["resource_policies"]),
    }


def table_count(con: Any, table: str) -> int:
    """Rows in one table."""
    count: int = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    return count


def test_every_table_exists_with_its_columns(con: Any, snapshot: Snapshot) -> None:
    create_tables(con, snapshot)
    for table, columns in TABLES.items():
        described = con.execute(f"DESCRIBE {table}").fetchall()
        assert [(row[0], row[1]) for row in described] == list(columns), table


@pytest.mark.parametrize(
    "table",
    [
        "snapshot_principals",
        "snapshot_policies",
        "snapshot_statements",
        "snapshot_organization_nodes",
        "snapshot_organization_attachments",
        "snapshot_resource_policies",
    ],
)
def test_counts_equal_the_snapshot_document(
    con: Any, snapshot_document: dict[str, Any], table: str
) -> None:
    create_tables(con, Snapshot.from_document(snapshot_document))
    assert table_count(con, table) == expected_counts(snapshot_document)[table]
    assert table_count(con, table) > 0


def test_a_role_added_to_the_snapshot_adds_rows(
    con: Any, snapshot_document: dict[str, Any]
) -> None:
    document = copy.deepcopy(snapshot_document)
    account = document["accounts"]["123456789012"]
    role = copy.deepcopy(account["RoleDetailList"][0])
    role["RoleName"] = "added-by-test"
    role["RoleId"] = "AROAADDEDBYTEST00001"
    role["Arn"] = "arn:aws:iam::123456789012:role/added-by-test"
    account["RoleDetailList"].append(role)
    create_tables(con, Snapshot.from_document(snapshot_document))
    before = table_count(con, "snapshot_principals")

    create_tables(con, Snapshot.from_document(document))

    assert table_count(con, "snapshot_principals") == before + 1
    found = con.execute(
        "SELECT kind, name FROM snapshot_principals WHERE arn = ?", [role["Arn"]]
    ).fetchall()
    assert found == [("role", "added-by-test")]


def test_statements_normalise_a_value_or_a_list(con: Any, snapshot: Snapshot) -> None:
    create_tables(con, snapshot)
    rows = con.execute(
        "SELECT s.actions, s.resources, s.statement "
        "FROM snapshot_statements s ORDER BY s.policy_id, s.statement_index"
    ).fetchall()
    for actions, resources, text in rows:
        statement = json.loads(text)
        written = statement.get("Action", [])
        assert actions == (written if isinstance(written, list) else [written])
        written = statement.get("Resource", [])
        assert resources == (written if isinstance(written, list) else [written])


def test_statements_join_their_policies_and_principals(
    con: Any, snapshot: Snapshot
) -> None:
    create_tables(con, snapshot)
    orphans = con.execute(
        "SELECT count(*) FROM snapshot_statements s "
        "ANTI JOIN snapshot_policies p USING (policy_id)"
    ).fetchall()
    unknown = con.execute(
        "SELECT count(*) FROM snapshot_principal_policies a "
        "ANTI JOIN snapshot_policies p USING (policy_id)"
    ).fetchall()
    assert orphans == [(0,)]
    assert unknown == [(0,)]


def test_scp_attachments_follow_the_organization(con: Any, snapshot: Snapshot) -> None:
    create_tables(con, snapshot)
    organization = snapshot.organization
    assert organization is not None
    account = organization.account_ids[0]
    expected = sorted(
        policy.policy_id for node in organization.path(account) for policy in node.scps
    )
    rows = con.execute(
        "WITH RECURSIVE path(id, parent_id) AS ("
        "  SELECT id, parent_id FROM snapshot_organization_nodes WHERE id = ?"
        "  UNION ALL"
        "  SELECT n.id, n.parent_id FROM snapshot_organization_nodes n"
        "  JOIN path ON n.id = path.parent_id)"
        "SELECT a.policy_id FROM path JOIN snapshot_organization_attachments a"
        "  ON a.node_id = path.id WHERE a.policy_type = 'scp' ORDER BY 1",
        [account],
    ).fetchall()
    assert sorted(row[0] for row in rows) == expected
