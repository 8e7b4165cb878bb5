"""Every answer of the example organization, written from the policies' logic.

The organization (examples/organization.json): root with FullAWSAccess, the RCP
EnforceOrgPerimeter (deny sqs:* to principals outside o-a1b2c3d4e5); OU Workloads
(SCP ProtectSecurityTooling) with OU Dev (SCP denying lambda:List* to roles named
RscScpDisallow; account 123456789012) and OU Prod (SCP denying regions other than
eu-west-1 and us-east-1; account 222222222222); OU Data with an allow-list SCP
(s3, kms, athena, glue, secretsmanager, logs, sts) and an allow-list RCP (s3, kms,
sts), account 333333333333; the management account 111111111111.
"""

from __future__ import annotations

from typing import Any

import pytest
from access_undenied.analyze.result import validation_errors
from example_world import analyze_examples, fixed_document, results_by_event

DEV, PROD, DATA = "123456789012", "222222222222", "333333333333"
ORG_NODE = "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/"
TABLE = f"arn:aws:dynamodb:eu-west-1:{DEV}:table/orders"
KEY = f"arn:aws:kms:eu-west-1:{DEV}:key/1111aaaa-22bb-33cc-44dd-5555eeee6666"
QUEUE = f"arn:aws:sqs:eu-west-1:{PROD}:orders-queue"
APP_RUNNER = f"arn:aws:iam::{DEV}:role/app-runner"
LAMBDA_EVENT = "5ac7912b-fd5d-436a-b60c-8a4ec1f61cdc"


def event(number: int) -> str:
    """The event id of example record `number`."""
    return f"{number:08d}-7e57-4c0d-9a11-{number:012d}"


def allow(action: str, resource: str | None, principal: Any = None) -> dict[str, Any]:
    """The statement a least-privilege fix must be."""
    statement: dict[str, Any] = {"Effect": "Allow"}
    if principal is not None:
        statement["Principal"] = principal
    statement["Action"] = action
    if resource is not None:
        statement["Resource"] = resource
    return statement


# event -> (reason code, [(fix target, fix statement)]). Why, per row:
MISSING_ALLOW = [
    pytest.param(
        # alice's group policy allows dynamodb:Query and DescribeTable, not GetItem.
        event(2), "identity_policy_missing_allow",
        [(f"arn:aws:iam::{DEV}:user/alice", allow("dynamodb:GetItem", TABLE))],
        id="02-alice-getitem",
    ),
    pytest.param(
        # app-runner may read prod-reports/*, but the bucket (owned by prod) grants
        # only prod's analytics role: cross-account needs the bucket's allow.
        event(4), "resource_policy_missing_allow",
        [("arn:aws:s3:::prod-reports", allow(
            "s3:GetObject", "arn:aws:s3:::prod-reports/2026/q3.csv", {"AWS": APP_RUNNER}
        ))],
        id="04-cross-account-object",
    ),
    pytest.param(
        # app-runner has no sqs allow and the queue grants only order-service.
        event(5), "identity_and_resource_policy_missing_allow",
        [
            (APP_RUNNER, allow("sqs:SendMessage", QUEUE)),
            (QUEUE, allow("sqs:SendMessage", QUEUE, {"AWS": APP_RUNNER})),
        ],
        id="05-cross-account-queue",
    ),
    pytest.param(
        # A key policy must allow even in the same account; it names only alice.
        event(6), "resource_policy_missing_allow",
        [(KEY, allow("kms:Decrypt", KEY, {"AWS": APP_RUNNER}))],
        id="06-key-policy",
    ),
    pytest.param(
        # ci-deployer's trust policy trusts codebuild only; trust policies have no
        # Resource element.
        event(7), "resource_policy_missing_allow",
        [(f"arn:aws:iam::{DEV}:role/ci-deployer", allow(
            "sts:AssumeRole", None, {"AWS": f"arn:aws:iam::{DEV}:user/alice"}
        ))],
        id="07-trust-policy",
    ),
    pytest.param(
        # AdministratorAccess allows it; DeveloperBoundary lists no secretsmanager.
        event(8), "permissions_boundary_missing_allow",
        [(f"arn:aws:iam::{DEV}:policy/DeveloperBoundary", allow(
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:eu-west-1:{DEV}:secret:ci/token-AbCdEf",
        ))],
        id="08-boundary",
    ),
    pytest.param(
        # Data's allow-list SCP has no ec2; DescribeInstances has no resource type.
        event(12), "scp_missing_allow",
        [(ORG_NODE + "ou-ab12-datalake", allow("ec2:DescribeInstances", "*"))],
        id="12-scp-allow-list",
    ),
    pytest.param(
        # Data's allow-list RCP has no secretsmanager; RCPs name Principal "*".
        event(13), "rcp_missing_allow",
        [(ORG_NODE + "ou-ab12-datalake", allow(
            "secretsmanager:GetSecretValue",
            f"arn:aws:secretsmanager:eu-west-1:{DATA}:secret:etl/db-XyZ123",
            "*",
        ))],
        id="13-rcp-allow-list",
    ),
]  # fmt: skip

# event -> (reason code, policy ARN, Sid, matched condition or None).
EXPLICIT_DENY = [
    pytest.param(
        # mfaAuthenticated is false: BoolIfExists false matches.
        event(3), "identity_policy_explicit_deny", f"arn:aws:iam::{DEV}:role/analyst",
        "DenyDeleteWithoutMfa",
        {"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}},
        id="03-identity-deny-mfa",
    ),
    pytest.param(
        event(9), "permissions_boundary_explicit_deny",
        f"arn:aws:iam::{DEV}:policy/DeveloperBoundary", "DenyIamUserChanges", None,
        id="09-boundary-deny",
    ),
    pytest.param(
        # reporting is not role/admin: ArnNotLike matches.
        event(10), "resource_policy_explicit_deny", "arn:aws:s3:::prod-reports",
        "DenyDeleteExceptAdmin",
        {"ArnNotLike": {"aws:PrincipalArn": [f"arn:aws:iam::{PROD}:role/admin"]}},
        id="10-bucket-deny",
    ),
    pytest.param(
        # ap-southeast-2 is not an approved region of the Prod OU.
        event(11), "scp_explicit_deny",
        "arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5/"
        "service_control_policy/p-scp3region",
        "DenyOtherRegions",
        {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}},
        id="11-scp-region",
    ),
    pytest.param(
        # The partner account is outside the organization.
        event(14), "rcp_explicit_deny",
        "arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5/"
        "resource_control_policy/p-rcp1perim01",
        "DenyPrincipalsOutsideOrg", None,
        id="14-rcp-perimeter",
    ),
    pytest.param(
        # The earlier tool's README record: the Dev OU denies lambda:List* to it.
        LAMBDA_EVENT, "scp_explicit_deny",
        "arn:aws:organizations::111111111111:policy/o-a1b2c3d4e5/"
        "service_control_policy/p-scp2lambda",
        "DenyLambdaList",
        {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/RscScpDisallow"]}},
        id="readme-lambda",
    ),
]  # fmt: skip

# event -> reason code, for answers with no fix to check.
OTHER = [
    # The analyst's policies allow PutObject; AWS blames the session policy.
    pytest.param(event(15), "session_policy_missing_allow", id="15-session"),
    # Allowed by the analyst's policies; AWS blames the VPC endpoint policy.
    pytest.param(event(16), "vpc_endpoint_policy_explicit_deny", id="16-vpce"),
    # The auditor's AWS-managed policy allows LookupEvents now.
    pytest.param(event(17), "not_reproduced", id="17-not-reproduced"),
    # The allow needs aws:ResourceTag/team, which no record or snapshot holds.
    pytest.param(event(18), "unsupported", id="18-resource-tag"),
    # Role ghost is not in the data account's details.
    pytest.param(event(19), "insufficient_data", id="19-unknown-role"),
    # ec2 has no DescribeWidgets action.
    pytest.param(event(20), "invalid_action", id="20-invalid-action"),
    # The last line of the pasted file is cut off.
    pytest.param("error", "error", id="cut-off-line"),
]


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    """The example results by event id."""
    return results_by_event()


@pytest.mark.parametrize(("event_id", "code", "fixes"), MISSING_ALLOW)
def test_missing_allow_and_its_fix(
    results: dict[str, dict[str, Any]], event_id: str, code: str, fixes: list[Any]
) -> None:
    result = results[event_id]
    assert result["ReasonCode"] == code
    proposed = result["ResultDetails"]["PoliciesToAdd"]
    got = sorted(
        (fix["AttachmentTargetArn"], statement)
        for fix in proposed
        for statement in fix["Policy"]["Statement"]
    )
    assert got == sorted(fixes)


@pytest.mark.parametrize(("event_id", "code", "fixes"), MISSING_ALLOW)
def test_the_fix_applied_to_the_data_makes_the_request_pass(
    results: dict[str, dict[str, Any]], event_id: str, code: str, fixes: list[Any]
) -> None:
    document = fixed_document(results[event_id]["ResultDetails"]["PoliciesToAdd"])
    after = {r["EventId"]: r for r in analyze_examples(document)}
    assert after[event_id]["ReasonCode"] == "not_reproduced"


@pytest.mark.parametrize(
    ("event_id", "code", "policy_arn", "sid", "condition"), EXPLICIT_DENY
)
def test_explicit_deny_names_the_statement_and_condition(
    results: dict[str, dict[str, Any]],
    event_id: str,
    code: str,
    policy_arn: str,
    sid: str,
    condition: dict[str, Any] | None,
) -> None:
    result = results[event_id]
    assert result["ReasonCode"] == code
    first = result["ResponsiblePolicies"][0]
    assert (first["PolicyArn"], first["Sid"]) == (policy_arn, sid)
    assert first["Statement"]["Sid"] == sid
    if condition is not None:
        assert first["MatchedCondition"] == condition
    denies = result["ResultDetails"]["ExplicitDenyPolicies"]
    assert denies[0]["PolicyStatement"]["Sid"] == sid


@pytest.mark.parametrize(("event_id", "code"), OTHER)
def test_other_answers(
    results: dict[str, dict[str, Any]], event_id: str, code: str
) -> None:
    assert results[event_id]["ReasonCode"] == code


def test_at_least_twelve_reason_codes(results: dict[str, dict[str, Any]]) -> None:
    codes = {result["ReasonCode"] for result in results.values()}
    assert len(codes) >= 12


def test_every_result_is_valid_against_the_schema(
    results: dict[str, dict[str, Any]],
) -> None:
    for event_id, result in results.items():
        assert validation_errors(result) == [], event_id


def test_the_non_denial_record_gives_no_result(
    results: dict[str, dict[str, Any]],
) -> None:
    assert event(99) not in results


def test_readme_lambda_record_has_the_documented_output_shape(
    results: dict[str, dict[str, Any]],
) -> None:
    result = results[LAMBDA_EVENT]
    assert result["AssessmentResult"] == "Explicit deny in a service-control policy"
    (deny,) = result["ResultDetails"]["ExplicitDenyPolicies"]
    assert set(deny) == {
        "AttachmentTargetArn",
        "PolicyArn",
        "PolicyName",
        "PolicyStatement",
    }
    assert deny["AttachmentTargetArn"] == ORG_NODE + "ou-ab12-devteams"
    assert deny["PolicyName"] == "DenyLambdaListingForRscScpDisallow"
    assert result["Request"]["Action"] == "lambda:ListFunctions"


def test_missing_data_is_named(results: dict[str, dict[str, Any]]) -> None:
    missing = results[event(19)]["MissingData"]
    assert any("arn:aws:iam::333333333333:role/ghost" in item for item in missing)


def test_unsupported_names_the_context_key(results: dict[str, dict[str, Any]]) -> None:
    assert any(
        "aws:ResourceTag/team" in item for item in results[event(18)]["Unsupported"]
    )
