"""Collector faults after the run has started: an honest snapshot, gaps listed.

No network: botocore's `before-send` hook answers every call. STS says who the
caller is; every later call then fails the way a run fails mid-way: credentials
that expire, or a network that goes away. Fake credentials ride along, and must
not appear in the gaps, in error messages or in logs above DEBUG.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

import pytest
from access_undenied.snapshot import Snapshot
from robust_support import bounded

ACCOUNT = "123456789012"
ACCESS_KEY = "AKIAFAKEROBUSTFAULTS"
SECRET_KEY = "fAkeSeCrEt/FaUlTs+0123456789abcdefGHIJKLMN"
SESSION_TOKEN = "FQoGZXIvYXdzEFAKE//FAULTS//TOKEN//" + "YmFy" * 40
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)

CALLER_BODY = f"""<GetCallerIdentityResponse
  xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::{ACCOUNT}:user/collector</Arn><UserId>AIDAEXAMPLE</UserId>
<Account>{ACCOUNT}</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""
QUERY_ERROR = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
    "<Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
)
REST_ERROR = "<Error><Code>{code}</Code><Message>{message}</Message></Error>"


class Body:
    """The `raw` of an AWSResponse: one chunk."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


def response(status: int, body: str, content_type: str) -> Any:
    """A botocore response with the given body."""
    from botocore.awsrequest import AWSResponse

    headers = {"Content-Type": content_type, "x-amzn-RequestId": "r"}
    return AWSResponse("https://fake.invalid/", status, headers, Body(body.encode()))


def error_response(request: Any, code: str, message: str) -> Any:
    """The error in the protocol of the called service (JSON, query or REST-XML)."""
    if "X-Amz-Target" in request.headers:
        body = json.dumps({"__type": code, "message": message})
        return response(400, body, "application/x-amz-json-1.1")
    if (request.body or b"")[:7] in (b"Action=", "Action="):
        return response(403, QUERY_ERROR.format(code=code, message=message), "text/xml")
    return response(403, REST_ERROR.format(code=code, message=message), "text/xml")


def expired_token(request: Any) -> Any:
    """Credentials that expired after the run began."""
    return error_response(
        request, "ExpiredToken", "The security token included in the request is expired"
    )


def network_gone(request: Any) -> Any:
    """A network that went away after the run began."""
    from botocore.exceptions import EndpointConnectionError

    raise EndpointConnectionError(endpoint_url=request.url)


def answering(fault: Callable[[Any], Any]) -> Callable[..., Any]:
    """A before-send handler: the caller's identity, then `fault` for every call."""

    def handler(request: Any, **_: Any) -> Any:
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        if b"Action=GetCallerIdentity" in body:
            return response(200, CALLER_BODY, "text/xml")
        return fault(request)

    return handler


@pytest.mark.parametrize(
    "fault", [expired_token, network_gone], ids=["expired-token", "network-gone"]
)
def test_fault_mid_run_leaves_an_honest_snapshot(
    fault: Callable[[Any], Any],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    boto3 = pytest.importorskip("boto3")
    from access_undenied.snapshot import collect_aws
    from access_undenied.snapshot.collect import CollectOptions, collect_snapshot

    monkeypatch.setattr(collect_aws, "MAX_ATTEMPTS", 1, raising=False)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    caplog.set_level(logging.DEBUG)
    session = boto3.Session(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        aws_session_token=SESSION_TOKEN,
        region_name="eu-west-1",
    )
    session.events.register("before-send", answering(fault))

    document, _ = bounded(
        lambda: collect_snapshot(session, CollectOptions(regions=("eu-west-1",))),
        limit=20,
    )

    snapshot = Snapshot.from_document(document)
    gaps = document["collection_errors"]
    assert gaps, "every failed call is listed"
    assert {gap["account_id"] for gap in gaps} == {ACCOUNT}
    assert any(gap["service"] == "iam" for gap in gaps)
    assert snapshot.principal(f"arn:aws:iam::{ACCOUNT}:user/collector") is None
    above_debug = [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG]
    text = json.dumps(gaps) + "\n".join(above_debug)
    assert [secret for secret in SECRETS if secret in text] == []
