"""`build_request`: whole records, and records of any shape never raise."""

from __future__ import annotations

import json
from typing import Any

from access_undenied.cloudtrail import (
    DenialLayer,
    PrincipalType,
    Request,
    build_request,
)
from cloudtrail_records import ROLE_ARN, SESSION_ARN, make_record
from hypothesis import given, settings
from hypothesis import strategies as st


def test_a_full_denial() -> None:
    record = make_record(
        errorMessage=f"User: {SESSION_ARN} is not authorized to perform: s3:GetObject "
        'on resource: "arn:aws:s3:::bucket-a/reports/1.csv" with an explicit deny in '
        "a resource-based policy"
    )

    request = build_request(record)

    assert request.principal.type is PrincipalType.ASSUMED_ROLE
    assert request.principal.arn == SESSION_ARN
    assert request.principal.issuer_arn == ROLE_ARN
    assert request.actions == ("s3:GetObject",)
    assert request.resources == ("arn:aws:s3:::bucket-a/reports/1.csv",)
    assert request.message.layer is DenialLayer.RESOURCE
    assert request.message.explicit is True
    assert request.unknowns == ()
    assert request.event_id == "e-1"


def test_message_action_overrides_the_event() -> None:
    record = make_record(
        eventName="ListObjects",
        errorMessage=f"User: {SESSION_ARN} is not authorized to perform: "
        "s3:ListBucketVersions",
    )

    assert build_request(record).actions == ("s3:ListBucketVersions",)


def test_anonymous_record_whose_message_names_a_caller_says_so() -> None:
    record = make_record(
        userIdentity=None,
        errorMessage=f"User: {SESSION_ARN} is not authorized to perform: s3:GetObject",
    )

    request = build_request(record)

    assert request.principal.type is PrincipalType.ANONYMOUS
    assert any(SESSION_ARN in sentence for sentence in request.unknowns)


def test_to_dict_is_json() -> None:
    request = build_request(make_record())

    document = json.loads(json.dumps(request.to_dict()))

    assert document["actions"] == ["s3:GetObject"]
    assert document["principal"]["type"] == "AssumedRole"
    assert document["message"]["form"] == "s3_bare"


def test_requests_are_frozen() -> None:
    request = build_request(make_record())

    try:
        request.actions = ()  # type: ignore[misc]
    except AttributeError:
        return
    raise AssertionError("Request should be frozen")


RECORD_KEYS = st.sampled_from(
    [
        "userIdentity",
        "eventSource",
        "eventName",
        "errorCode",
        "errorMessage",
        "requestParameters",
        "resources",
        "eventTime",
        "sourceIPAddress",
        "awsRegion",
        "recipientAccountId",
        "tlsDetails",
        "type",
        "arn",
        "sessionContext",
        "sessionIssuer",
        "attributes",
        "instancesSet",
        "items",
        "instanceId",
        "keyId",
        "ARN",
        "accountId",
    ]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(RECORD_KEYS | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(RECORD_KEYS, JSON, max_size=12))
def test_any_record_shape_rebuilds_without_raising(record: dict[str, Any]) -> None:
    request = build_request(record)

    assert isinstance(request, Request)
    json.dumps(request.to_dict())


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["s3", "ec2", "kms", "iam", "sqs", "lambda", "sts"]),
    st.text(max_size=30),
    st.dictionaries(RECORD_KEYS | st.text(max_size=8), JSON, max_size=6),
)
def test_any_parameters_rebuild_without_raising(
    service: str, event_name: str, parameters: dict[str, Any]
) -> None:
    record = make_record(
        eventSource=f"{service}.amazonaws.com",
        eventName=event_name,
        requestParameters=parameters,
    )

    assert isinstance(build_request(record), Request)
