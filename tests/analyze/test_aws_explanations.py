"""`--use-aws-explanations` with botocore's Stubber standing in for AWS."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from access_undenied.analyze.aws_explanations import (
    AwsExplainer,
    agrees,
    report_from_decoded,
    report_from_details,
)
from access_undenied.analyze.result import AwsReport
from access_undenied.cloudtrail.models import RecordItem
from botocore.stub import Stubber

AUTH_ID = "a1b2c3d4-0000-4000-8000-000000000001"
SCP_ARN = "arn:aws:organizations::111111111111:policy/o-x/service_control_policy/p-1"


def client(name: str) -> Any:
    return boto3.client(
        name,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def record(message: str) -> dict[str, Any]:
    return {
        "eventID": "e-1",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "RunInstances",
        "awsRegion": "eu-west-1",
        "errorCode": "Client.UnauthorizedOperation",
        "errorMessage": message,
        "userIdentity": {
            "type": "IAMUser",
            "arn": "arn:aws:iam::123456789012:user/alice",
            "accountId": "123456789012",
        },
    }


def with_authorization_id(text: str) -> str:
    return (
        f"{text} Go to https://us-east-1.console.aws.amazon.com/iam/home?region="
        f"us-east-1#/authorization-details/{AUTH_ID} for complete details, or call "
        "the GetRequestAuthorizationDetails API with the following authorization id: "
        f"{AUTH_ID}"
    )


def details_response(check_type: str, effect: str) -> dict[str, Any]:
    return {
        "requestContext": {},
        "evaluations": [
            {
                "action": "ec2:RunInstances",
                "resource": "*",
                "context": {},
                "evaluatedEffect": "EXPLICIT_DENY",
                "matchedPolicies": [],
                "checks": [
                    {"checkType": "PRINCIPAL", "evaluatedEffect": "ALLOW"},
                    {
                        "checkType": check_type,
                        "evaluatedEffect": effect,
                        "matchedPolicies": [{"uri": SCP_ARN}],
                    },
                ],
            }
        ],
        "policies": [],
    }


def test_authorization_details_name_the_layer() -> None:
    toolbox = client("iam-toolbox")
    stub = Stubber(toolbox)
    stub.add_response(
        "get_request_authorization_details",
        details_response("SERVICE_CONTROL_POLICY", "EXPLICIT_DENY"),
        {"authorizationId": AUTH_ID},
    )
    explainer = AwsExplainer(toolbox_client=toolbox)
    item = RecordItem("test", 0, record(with_authorization_id("User: x is denied.")))
    result = {"ReasonCode": "scp_explicit_deny", "DeniedBy": ["scp"]}
    with stub:
        changed, line = explainer.annotate(item, result, json.dumps(result))
    stub.assert_no_pending_responses()
    assert changed["AwsReported"] == {
        "Layer": "scp",
        "Explicit": True,
        "PolicyArn": SCP_ARN,
        "Source": "GetRequestAuthorizationDetails",
    }
    assert changed["AgreesWithAws"] is True
    assert json.loads(line) == changed


def test_decoded_message_that_disagrees() -> None:
    sts = client("sts")
    stub = Stubber(sts)
    decoded = {"allowed": False, "explicitDeny": True, "matchedStatements": {}}
    stub.add_response(
        "decode_authorization_message",
        {"DecodedMessage": json.dumps(decoded)},
        {"EncodedMessage": "AbCd1234"},
    )
    message = (
        "You are not authorized to perform this operation. "
        "Encoded authorization failure message: AbCd1234"
    )
    item = RecordItem("test", 0, record(message))
    result = {"ReasonCode": "identity_policy_missing_allow", "DeniedBy": ["identity"]}
    with stub:
        changed, _ = AwsExplainer(sts_client=sts).annotate(
            item, result, json.dumps(result)
        )
    assert changed["AwsReported"]["Source"] == "DecodeAuthorizationMessage"
    assert changed["AgreesWithAws"] is False


def test_aws_error_leaves_the_result_unchanged() -> None:
    sts = client("sts")
    stub = Stubber(sts)
    stub.add_client_error(
        "decode_authorization_message", service_error_code="AccessDenied"
    )
    message = "Encoded authorization failure message: AbCd1234"
    item = RecordItem("test", 0, record(message))
    result = {"ReasonCode": "identity_policy_missing_allow", "DeniedBy": ["identity"]}
    with stub:
        changed, _ = AwsExplainer(sts_client=sts).annotate(
            item, result, json.dumps(result)
        )
    assert changed == result


@pytest.mark.parametrize(
    ("check", "effect", "layer", "explicit"),
    [
        pytest.param("RESOURCE", "IMPLICIT_DENY", "resource", False, id="resource"),
        pytest.param("PRINCIPAL", "EXPLICIT_DENY", "identity", True, id="identity"),
        pytest.param(
            "PERMISSIONS_BOUNDARY",
            "IMPLICIT_DENY",
            "permissions_boundary",
            False,
            id="boundary",
        ),
    ],
)
def test_check_types_map_to_layers(
    check: str, effect: str, layer: str, explicit: bool
) -> None:
    report = report_from_details(details_response(check, effect))
    assert report is not None
    assert (report.layer, report.explicit) == (layer, explicit)


def test_allowed_decoded_message_reports_nothing() -> None:
    assert report_from_decoded({"allowed": True}) is None


@pytest.mark.parametrize(
    ("layer", "explicit", "code", "denied", "expected"),
    [
        pytest.param("scp", True, "scp_missing_allow", ["scp"], True, id="scp-wording"),
        pytest.param("identity", False, "identity_policy_missing_allow", ["identity"],
                     True, id="same"),
        pytest.param("identity", True, "identity_policy_missing_allow", ["identity"],
                     False, id="explicit-differs"),
        pytest.param("resource", False, "identity_policy_missing_allow", ["identity"],
                     False, id="layer-differs"),
    ],
)  # fmt: skip
def test_agreement(
    layer: str, explicit: bool, code: str, denied: list[str], expected: bool
) -> None:
    report = AwsReport(layer, explicit, None)
    assert agrees(report, {"ReasonCode": code, "DeniedBy": denied}) is expected
