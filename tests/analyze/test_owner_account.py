"""The same bucket and request, with the bucket in different accounts (issue 9).

Role `app` (account REQUESTER) may read shared-bucket/*; the bucket policy grants
only an unrelated account; an RCP at the root denies reads across accounts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analyze_world import (
    APP_ROLE,
    BUCKET,
    BUCKET_POLICY,
    MANAGEMENT,
    OTHER_MEMBER,
    REQUESTER,
    ROLE,
    analyzer_for,
    details,
    role_entry,
    s3_record,
)

ACCOUNTS = {
    REQUESTER: details(REQUESTER, [APP_ROLE]),
    OTHER_MEMBER: details(OTHER_MEMBER, [role_entry(OTHER_MEMBER, "reader")]),
    MANAGEMENT: details(MANAGEMENT, [role_entry(MANAGEMENT, "admin")]),
}


def explain(tmp_path: Path, policies: dict[str, Any], **record: Any) -> Any:
    analyzer = analyzer_for(tmp_path, ACCOUNTS, policies)
    return analyzer.explain_record(s3_record(**record))


@pytest.mark.parametrize(
    ("owner", "code", "denied_by"),
    [
        # Same account: the identity allow suffices, the RCP's condition is false.
        pytest.param(REQUESTER, "not_reproduced", [], id="requester-account"),
        # Another member: the bucket must allow too, and the RCP denies.
        pytest.param(
            OTHER_MEMBER, "rcp_explicit_deny", ["resource", "rcp"], id="other-member"
        ),
        # The management account's resources are outside RCPs.
        pytest.param(
            MANAGEMENT, "resource_policy_missing_allow", ["resource"], id="management"
        ),
    ],
)
def test_owner_from_the_resource_policies_file(
    tmp_path: Path, owner: str, code: str, denied_by: list[str]
) -> None:
    policies = {BUCKET: {"Account": owner, "Policy": BUCKET_POLICY}}
    result = explain(tmp_path, policies)
    assert result["ReasonCode"] == code
    assert result["DeniedBy"] == denied_by
    assert result["Request"]["ResourceAccount"] == owner


def test_owner_from_the_record_when_the_data_does_not_say(tmp_path: Path) -> None:
    result = explain(tmp_path, {BUCKET: BUCKET_POLICY}, bucket_owner=OTHER_MEMBER)
    assert result["ReasonCode"] == "rcp_explicit_deny"


def test_unknown_owner_that_matters_is_insufficient_data(tmp_path: Path) -> None:
    result = explain(tmp_path, {BUCKET: BUCKET_POLICY})
    assert result["ReasonCode"] == "insufficient_data"
    assert result["MissingData"] == [f"owner account of {BUCKET}"]
    assert BUCKET in result["Explanation"]


def test_cross_account_fix_names_the_role_not_the_session(tmp_path: Path) -> None:
    policies = {BUCKET: {"Account": MANAGEMENT, "Policy": BUCKET_POLICY}}
    result = explain(tmp_path, policies)
    (fix,) = result["ResultDetails"]["PoliciesToAdd"]
    assert fix["AttachmentTargetArn"] == BUCKET
    (statement,) = fix["Policy"]["Statement"]
    assert statement["Principal"] == {"AWS": ROLE}
    assert statement["Resource"] == BUCKET + "/reports/q3.csv"
