"""What every collector call shares: clients, role assumption, error records.

boto3 and botocore are imported inside functions only: the core does not need
them unless it collects.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# (assumed-role credentials, region) -> a boto3 Session.
SessionFactory = Callable[..., Any]

MAX_ATTEMPTS = 10


class ErrorKind(str, Enum):
    """How a failed call is read: the data is absent, denied, throttled or failed."""

    ABSENT = "absent"
    DENIED = "denied"
    THROTTLED = "throttled"
    FAILED = "failed"


# ClientError codes, classified by code, never by message text.
ERROR_KINDS: dict[str, ErrorKind] = {
    "AccessDenied": ErrorKind.DENIED,
    "AccessDeniedException": ErrorKind.DENIED,
    "AuthorizationError": ErrorKind.DENIED,
    "UnauthorizedOperation": ErrorKind.DENIED,
    "UnrecognizedClientException": ErrorKind.DENIED,
    "InvalidClientTokenId": ErrorKind.DENIED,
    "ExpiredToken": ErrorKind.DENIED,
    "Throttling": ErrorKind.THROTTLED,
    "ThrottlingException": ErrorKind.THROTTLED,
    "TooManyRequestsException": ErrorKind.THROTTLED,
    "RequestLimitExceeded": ErrorKind.THROTTLED,
    "SlowDown": ErrorKind.THROTTLED,
}

# (service, operation) -> codes that mean "this resource has no policy".
ABSENT_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("s3", "GetBucketPolicy"): frozenset({"NoSuchBucketPolicy"}),
    ("s3", "GetPublicAccessBlock"): frozenset({"NoSuchPublicAccessBlockConfiguration"}),
    ("lambda", "GetPolicy"): frozenset({"ResourceNotFoundException"}),
    ("ecr", "GetRepositoryPolicy"): frozenset({"RepositoryPolicyNotFoundException"}),
    ("organizations", "DescribeOrganization"): frozenset(
        {"AWSOrganizationsNotInUseException"}
    ),
}


def classify_error(service: str, operation: str, code: str) -> ErrorKind:
    """The kind of a failed call, from its error code."""
    if code in ABSENT_CODES.get((service, operation), frozenset()):
        return ErrorKind.ABSENT
    return ERROR_KINDS.get(code, ErrorKind.FAILED)


def client_config() -> Any:
    """botocore Config with adaptive retries (client-side rate limiting)."""
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS},
        max_pool_connections=20,
    )


@dataclass
class ErrorLog:
    """The collection errors of a run, appended to from many threads."""

    entries: list[dict[str, Any]]
    _lock: threading.Lock

    @classmethod
    def empty(cls) -> ErrorLog:
        """A log with no entries."""
        return cls([], threading.Lock())

    def record(
        self,
        account_id: str,
        service: str,
        operation: str,
        code: str,
        message: str,
        region: str | None = None,
    ) -> None:
        """Record one call that could not be made."""
        entry = {
            "account_id": account_id,
            "service": service,
            "operation": operation,
            "error_code": code,
            "message": message[:300],
            "region": region,
        }
        logger.warning(
            "%s %s:%s in %s failed: %s", account_id, service, operation, region, code
        )
        with self._lock:
            self.entries.append(entry)


class AccountClients:
    """Clients of one account, each made once and shared by the worker threads.

    A boto3 Session is not thread-safe, so creating clients is serialised.
    """

    def __init__(self, account_id: str, session: Any) -> None:
        self.account_id = account_id
        self._session = session
        self._lock = threading.Lock()
        self._config = client_config()
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        """A client of a service in a region (the session's region when None)."""
        key = (service, region or self.default_region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=key[1], config=self._config
                )
            return self._clients[key]

    @property
    def default_region(self) -> str:
        """The session's region, else us-east-1."""
        region: str | None = self._session.region_name
        return region or "us-east-1"


class CallRecorder:
    """Runs a call for one account and region; a failure is recorded, not raised."""

    def __init__(self, log: ErrorLog, account_id: str, region: str | None) -> None:
        self._log = log
        self._account_id = account_id
        self._region = region

    def call(self, service: str, operation: str, function: Callable[[], T]) -> T | None:
        """The call's result, or None when it failed (recorded unless absent)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return function()
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            if classify_error(service, operation, code) is ErrorKind.ABSENT:
                return None
            self._record(service, operation, code, str(exc))
        except BotoCoreError as exc:
            self._record(service, operation, type(exc).__name__, str(exc))
        return None

    def _record(self, service: str, operation: str, code: str, message: str) -> None:
        self._log.record(
            self._account_id, service, operation, code, message, self._region
        )


def default_session_factory(base: Any) -> SessionFactory:
    """Sessions from assumed-role credentials, in the base session's region."""

    def build(credentials: dict[str, Any], region: str | None) -> Any:
        import boto3

        return boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region or base.region_name,
        )

    return build


def assume_role(
    base: AccountClients, role_arn: str, recorder: CallRecorder
) -> dict[str, Any] | None:
    """Temporary credentials of a role, or None (recorded) when it cannot be assumed."""
    sts = base.client("sts")
    response = recorder.call(
        "sts",
        "AssumeRole",
        lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="AccessUndenied"),
    )
    if response is None:
        return None
    credentials: dict[str, Any] = response["Credentials"]
    return credentials
