"""Fake AWS answers for botocore's `before-send` event: throttling, denials."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

QUERY_ERROR = (
    '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
    "<Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
    "<RequestId>fake</RequestId></ErrorResponse>"
)


class RawBody:
    """The `raw` of an AWSResponse: a stream of one chunk."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def query_error(status: int, code: str, message: str = "fake") -> Any:
    """An error answer of a query-protocol service (IAM, STS)."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    body = QUERY_ERROR.format(code=code, message=message).encode()
    headers = HTTPHeaders()
    headers["Content-Type"] = "text/xml"
    return AWSResponse("https://fake.invalid/", status, headers, RawBody(body))


def json_error(status: int, code: str, message: str = "fake") -> Any:
    """An error answer of a JSON-protocol service (KMS, Organizations)."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    body = f'{{"__type":"{code}","message":"{message}"}}'.encode()
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.1"
    return AWSResponse("https://fake.invalid/", status, headers, RawBody(body))


class Interceptor:
    """Answers matching requests with a fake response, a given number of times."""

    def __init__(
        self,
        response: Callable[[], Any],
        times: int | None = None,
        body_contains: str = "",
    ) -> None:
        self._response = response
        self._remaining = times
        self._body_contains = body_contains
        self.seen = 0
        self.faked = 0

    def __call__(self, request: Any, **_: Any) -> Any:
        self.seen += 1
        body = request.body or b""
        text = body.decode() if isinstance(body, bytes) else str(body)
        if self._body_contains and self._body_contains not in text:
            return None
        if self._remaining is not None and self._remaining <= 0:
            return None
        if self._remaining is not None:
            self._remaining -= 1
        self.faked += 1
        return self._response()
