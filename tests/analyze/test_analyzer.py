"""The Analyzer: caching by the keys that matter, bad input, SCP exemptions, fixes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from access_undenied.analyze import explain_text
from access_undenied.analyze.result import validation_errors
from analyze_world import (
    BUCKET,
    BUCKET_POLICY,
    MANAGEMENT,
    OTHER_MEMBER,
    REQUESTER,
    analyzer_for,
    details,
    doc,
    org_policy,
    organization,
    role_entry,
    s3_record,
)
from hypothesis import given, settings
from hypothesis import strategies as st

OWNED = {BUCKET: {"Account": REQUESTER, "Policy": BUCKET_POLICY}}
OTHERS = {
    OTHER_MEMBER: details(OTHER_MEMBER, [role_entry(OTHER_MEMBER, "reader")]),
    MANAGEMENT: details(MANAGEMENT, [role_entry(MANAGEMENT, "admin")]),
}
OFFICE_ONLY = doc(
    {
        "Sid": "ReadFromTheOffice",
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": BUCKET + "/*",
        "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    }
)
DENY_ALL_S3 = org_policy(
    "p-nos3", doc({"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"})
)


def analyzer(tmp_path: Path, *roles: Any, org: Any = None, policies: Any = None) -> Any:
    accounts = {REQUESTER: details(REQUESTER, list(roles)), **OTHERS}
    return analyzer_for(tmp_path, accounts, policies or OWNED, org)


def test_repeated_request_differs_only_in_event_fields(tmp_path: Path) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app", OFFICE_ONLY))
    first = subject.explain_record(s3_record("e-1", sourceIPAddress="198.51.100.7"))
    second = subject.explain_record(s3_record("e-2", sourceIPAddress="198.51.100.7"))
    assert (first["EventId"], second["EventId"]) == ("e-1", "e-2")
    assert {**first, "EventId": None} == {**second, "EventId": None}


@pytest.mark.parametrize(
    ("address", "code"),
    [
        pytest.param("203.0.113.9", "not_reproduced", id="office"),
        pytest.param("198.51.100.7", "identity_policy_missing_allow", id="elsewhere"),
    ],
)
def test_a_context_key_the_policies_read_splits_the_cache(
    tmp_path: Path, address: str, code: str
) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app", OFFICE_ONLY))
    other = "198.51.100.7" if address != "198.51.100.7" else "203.0.113.9"
    subject.explain_record(s3_record("warm", sourceIPAddress=other))
    result = subject.explain_record(s3_record("e-1", sourceIPAddress=address))
    assert result["ReasonCode"] == code
    assert result["Request"]["Context"]["aws:SourceIp"] == address
    assert "aws:UserAgent" not in result["Request"]["Context"]


def test_not_a_denial(tmp_path: Path) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app", OFFICE_ONLY))
    record = s3_record()
    del record["errorCode"], record["errorMessage"]
    assert subject.explain_record(record)["ReasonCode"] == "not_a_denial"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{not json", id="broken"),
        pytest.param("", id="empty"),
    ],
)
def test_text_that_is_not_json_is_an_error(tmp_path: Path, text: str) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app", OFFICE_ONLY))
    result = explain_text(subject, text)
    assert result["ReasonCode"] == "error"
    assert "not JSON" in result["Error"]
    assert validation_errors(result) == []


def test_a_malformed_policy_is_an_error_naming_it(tmp_path: Path) -> None:
    broken = doc({"Effect": "Perhaps", "Action": "s3:GetObject", "Resource": "*"})
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app", broken))
    result = subject.explain_record(s3_record())
    assert result["ReasonCode"] == "error"
    assert "arn:aws:iam::100000000001:role/app" in result["Error"]


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "errorCode",
                        "userIdentity",
                        "eventName",
                        "eventSource",
                        "arn",
                        "x",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_gives_a_valid_result(record: Any) -> None:
    result = SHARED.explain_record(record)
    assert validation_errors(json.loads(json.dumps(result))) == []


@pytest.fixture(scope="module", autouse=True)
def shared_analyzer(tmp_path_factory: pytest.TempPathFactory) -> None:
    global SHARED
    tmp = tmp_path_factory.mktemp("shared")
    SHARED = analyzer(tmp, role_entry(REQUESTER, "app", OFFICE_ONLY))


SHARED: Any = None


@pytest.mark.parametrize(
    ("path", "code"),
    [
        # SCPs do not restrict service-linked roles.
        pytest.param("/aws-service-role/", "not_reproduced", id="service-linked"),
        pytest.param("/", "scp_explicit_deny", id="ordinary-role"),
    ],
)
def test_scps_skip_service_linked_roles(tmp_path: Path, path: str, code: str) -> None:
    allow_all = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    role = role_entry(REQUESTER, "app", allow_all, path=path)
    role["Arn"] = f"arn:aws:iam::{REQUESTER}:role{path}app"
    subject = analyzer(tmp_path, role, org=organization([DENY_ALL_S3]))
    assert subject.explain_record(s3_record())["ReasonCode"] == code


def test_scps_do_not_apply_to_the_management_account(tmp_path: Path) -> None:
    allow_all = doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    nodes = organization()
    nodes[MANAGEMENT]["policies"].append(DENY_ALL_S3)
    accounts = {
        REQUESTER: details(REQUESTER, [role_entry(REQUESTER, "app")]),
        MANAGEMENT: details(MANAGEMENT, [role_entry(MANAGEMENT, "admin", allow_all)]),
    }
    policies = {BUCKET: {"Account": MANAGEMENT, "Policy": BUCKET_POLICY}}
    subject = analyzer_for(tmp_path, accounts, policies, nodes)
    record = s3_record()
    session = f"arn:aws:sts::{MANAGEMENT}:assumed-role/admin/ops"
    record["userIdentity"] = {
        "type": "AssumedRole",
        "arn": session,
        "accountId": MANAGEMENT,
        "principalId": "AROAADMIN:ops",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "arn": f"arn:aws:iam::{MANAGEMENT}:role/admin",
                "accountId": MANAGEMENT,
                "userName": "admin",
            }
        },
    }
    assert subject.explain_record(record)["ReasonCode"] == "not_reproduced"


def test_principal_tags_reach_policy_variables(tmp_path: Path) -> None:
    by_team = doc(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": BUCKET + "/${aws:PrincipalTag/team}/*",
        }
    )
    role = role_entry(
        REQUESTER, "app", by_team, tags=[{"Key": "team", "Value": "reports"}]
    )
    subject = analyzer(tmp_path, role)
    allowed = subject.explain_record(s3_record(key="reports/q3.csv"))
    denied = subject.explain_record(s3_record(key="payroll/q3.csv"))
    assert allowed["ReasonCode"] == "not_reproduced"
    assert denied["ReasonCode"] == "identity_policy_missing_allow"


def test_an_aws_managed_boundary_is_never_edited(tmp_path: Path) -> None:
    allow_all = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    boundary_arn = "arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess"
    boundary = {
        "PolicyName": "AmazonEC2ReadOnlyAccess",
        "PolicyId": "ANPAEC2READONLY",
        "Arn": boundary_arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "PolicyVersionList": [
            {
                "Document": doc(
                    {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}
                ),
                "VersionId": "v1",
                "IsDefaultVersion": True,
            }
        ],
    }
    role = role_entry(
        REQUESTER,
        "app",
        allow_all,
        PermissionsBoundary={
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary_arn,
        },
    )
    accounts = {REQUESTER: details(REQUESTER, [role], [boundary]), **OTHERS}
    result = analyzer_for(tmp_path, accounts, OWNED).explain_record(s3_record())
    assert result["ReasonCode"] == "permissions_boundary_missing_allow"
    (fix,) = result["ResultDetails"]["PoliciesToAdd"]
    assert fix["AttachmentTargetArn"] == f"arn:aws:iam::{REQUESTER}:role/app"
    assert "customer-managed" in fix["Note"]


def test_two_explicit_denies_and_the_allows_still_missing(tmp_path: Path) -> None:
    # The role denies itself s3:*, the root RCP denies reads across accounts, and
    # neither the role nor the other member's bucket allows the read.
    deny = doc({"Sid": "NoReads", "Effect": "Deny", "Action": "s3:*", "Resource": "*"})
    policies = {BUCKET: {"Account": OTHER_MEMBER, "Policy": BUCKET_POLICY}}
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app", deny), policies=policies)
    result = subject.explain_record(s3_record())
    assert result["ReasonCode"] == "rcp_explicit_deny"
    sids = {item["Sid"] for item in result["ResponsiblePolicies"]}
    assert sids == {"NoReads", "DenyReadsAcrossAccounts"}
    targets = {
        fix["AttachmentTargetArn"] for fix in result["ResultDetails"]["PoliciesToAdd"]
    }
    assert targets == {f"arn:aws:iam::{REQUESTER}:role/app", BUCKET}


def session_record(event_id: str, session: str) -> dict[str, Any]:
    record = s3_record(event_id)
    arn = f"arn:aws:sts::{REQUESTER}:assumed-role/app/{session}"
    record["userIdentity"] = {**record["userIdentity"], "arn": arn}
    return record


def test_sessions_of_one_role_keep_their_own_principal(tmp_path: Path) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"))
    first = subject.explain_record(session_record("e-1", "one"))
    second = subject.explain_record(session_record("e-2", "two"))
    assert first["Request"]["Principal"].endswith("/app/one")
    assert second["Request"]["Principal"].endswith("/app/two")
    assert (
        first["ReasonCode"] == second["ReasonCode"] == "identity_policy_missing_allow"
    )


def test_a_bucket_policy_naming_one_session_splits_the_cache(tmp_path: Path) -> None:
    grant = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:sts::{REQUESTER}:assumed-role/app/one"},
            "Action": "s3:GetObject",
            "Resource": BUCKET + "/*",
        }
    )
    policies = {BUCKET: {"Account": REQUESTER, "Policy": grant}}
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"), policies=policies)
    named = subject.explain_record(session_record("e-1", "one"))
    other = subject.explain_record(session_record("e-2", "two"))
    assert named["ReasonCode"] == "not_reproduced"
    assert other["ReasonCode"] == "identity_policy_missing_allow"


def test_explain_item_gives_the_line_and_a_result_read_from_it(
    tmp_path: Path,
) -> None:
    from access_undenied.cloudtrail.models import RecordItem

    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"))
    result, line = subject.explain_item(RecordItem("f", 0, s3_record()))
    assert result.reason_code == "identity_policy_missing_allow"
    assert dict(result) == json.loads(line)
    assert result["Source"] == {"File": "f", "Index": 0}


def test_a_request_without_its_resource_gets_no_wildcard_fix(tmp_path: Path) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"))
    record = s3_record()
    del record["requestParameters"], record["resources"]
    result = subject.explain_record(record)
    assert result["ReasonCode"] == "insufficient_data"
    assert result["MissingData"] == [
        "resource of the request (the record does not name it)"
    ]
    assert "PoliciesToAdd" not in result["ResultDetails"]


def role_session_record(
    event_id: str, session: str, created: str = "2026-11-20T08:00:00Z"
) -> dict[str, Any]:
    """A record of session `session` of the `app` role, named in all three places."""
    arn = f"arn:aws:sts::{REQUESTER}:assumed-role/app/{session}"
    message = f"User: {arn} is not authorized to perform: s3:GetObject on resource: x"
    record = s3_record(event_id, message=message)
    identity = record["userIdentity"]
    context = identity["sessionContext"]
    attributes = {**context["attributes"], "creationDate": created}
    record["userIdentity"] = {
        **identity,
        "arn": arn,
        "principalId": f"AROAAPP:{session}",
        "sessionContext": {**context, "attributes": attributes},
    }
    return record


def test_other_sessions_of_a_role_reuse_the_result(tmp_path: Path) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"))
    first = subject.explain_record(role_session_record("e-1", "one"))
    later = role_session_record("e-2", "two", created="2026-11-21T09:30:00Z")
    second = subject.explain_record(later)
    assert subject.counts["rebuilt"] == 1
    assert second["Request"]["Principal"] == later["userIdentity"]["arn"]
    assert {**first, "EventId": None, "Request": None} == {
        **second,
        "EventId": None,
        "Request": None,
    }


def session_reader(key: str, operator: str, value: str) -> Any:
    """The `app` role, allowed s3:GetObject only where `key` passes `operator`."""
    allow = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": BUCKET + "/*",
        "Condition": {operator: {key: value}},
    }
    return role_entry(REQUESTER, "app", doc(allow))


@pytest.mark.parametrize(
    ("policy", "warm", "record", "code"),
    [
        pytest.param(
            session_reader("aws:userid", "StringLike", "*:one"),
            role_session_record("e-0", "two"),
            role_session_record("e-1", "one"),
            "not_reproduced",
            id="userid-allows",
        ),
        pytest.param(
            session_reader("aws:userid", "StringLike", "*:one"),
            role_session_record("e-0", "one"),
            role_session_record("e-1", "two"),
            "identity_policy_missing_allow",
            id="userid-misses",
        ),
        pytest.param(
            session_reader(
                "aws:TokenIssueTime", "DateGreaterThan", "2026-11-21T00:00:00Z"
            ),
            role_session_record("e-0", "one"),
            role_session_record("e-1", "two", created="2026-11-21T09:00:00Z"),
            "not_reproduced",
            id="issue-time-allows",
        ),
        pytest.param(
            session_reader(
                "aws:TokenIssueTime", "DateGreaterThan", "2026-11-21T00:00:00Z"
            ),
            role_session_record("e-0", "one", created="2026-11-21T09:00:00Z"),
            role_session_record("e-1", "two"),
            "identity_policy_missing_allow",
            id="issue-time-misses",
        ),
    ],
)
def test_a_session_the_policies_read_is_not_shared(
    tmp_path: Path, policy: Any, warm: Any, record: Any, code: str
) -> None:
    subject = analyzer(tmp_path, policy)
    subject.explain_record(warm)
    result = subject.explain_record(record)
    assert result["ReasonCode"] == code
    assert result["Request"]["Principal"] == record["userIdentity"]["arn"]


def test_a_record_holding_the_mask_is_not_taken_for_a_masked_one(
    tmp_path: Path,
) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"))
    subject.explain_record(role_session_record("e-1", "one"))
    forged = role_session_record("e-2", "\x00", created="\x00")
    # The text of a masked record of session "one": ARN and creation time masked.
    forged["errorMessage"] = (
        "User: \x00 is not authorized to perform: s3:GetObject on resource: x"
    )
    result = subject.explain_record(forged)
    assert result["Request"]["Principal"] == forged["userIdentity"]["arn"]


def test_sessions_without_their_role_arn_are_not_shared(tmp_path: Path) -> None:
    subject = analyzer(tmp_path, role_entry(REQUESTER, "app"))
    results = []
    for event_id, session in (("e-1", "one"), ("e-2", "two")):
        record = role_session_record(event_id, session)
        record["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] = ""
        results.append(subject.explain_record(record))
    assert "/app/one" not in json.dumps(results[1])
    assert subject.counts["rebuilt"] == 2
