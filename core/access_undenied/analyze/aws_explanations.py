"""`--use-aws-explanations`: ask AWS why it denied, and compare with the engine.

Two sources, both needing credentials: `sts:DecodeAuthorizationMessage` for the
encoded message EC2 (and a few others) return, and IAM's
`GetRequestAuthorizationDetails` (service `iam-toolbox`) for the authorization id
newer messages carry. Clients are injected; boto3 is imported only by
`AwsExplainer.from_profile`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from access_undenied.analyze.result import AwsReport
from access_undenied.cloudtrail.models import ReadError, RecordItem, Request
from access_undenied.cloudtrail.request import build_request

logger = logging.getLogger(__name__)

JsonDict = dict[str, Any]

# GetRequestAuthorizationDetails check types -> the engine's layers.
CHECK_LAYERS: Mapping[str, str] = {
    "SERVICE_CONTROL_POLICY": "scp",
    "RESOURCE_CONTROL_POLICY": "rcp",
    "VPC_ENDPOINT": "vpc_endpoint",
    "RESOURCE": "resource",
    "PRINCIPAL": "identity",
    "PERMISSIONS_BOUNDARY": "permissions_boundary",
    "SESSION": "session",
}

DENYING_EFFECTS = ("EXPLICIT_DENY", "IMPLICIT_DENY")
DEFAULT_REGION = "us-east-1"


class AwsExplainer:
    """Asks AWS about each denial and marks where the engine's answer differs."""

    def __init__(self, sts_client: Any = None, toolbox_client: Any = None) -> None:
        self._sts = sts_client
        self._toolbox = toolbox_client

    @classmethod
    def from_profile(cls, profile: str | None) -> AwsExplainer:
        """Clients from a boto3 Session of `profile` (imported here, not at load)."""
        import boto3

        session = boto3.Session(profile_name=profile)
        # Both APIs are global; a profile without a region still reaches them.
        region = session.region_name or DEFAULT_REGION
        return cls(
            session.client("sts", region_name=region),
            session.client("iam-toolbox", region_name=region),
        )

    def ask(self, request: Request) -> AwsReport | None:
        """AWS's own account of the denial, or None when it cannot be had."""
        from botocore.exceptions import BotoCoreError, ClientError

        message = request.message
        try:
            if message.authorization_id and self._toolbox is not None:
                return self._details(message.authorization_id)
            encoded = message.encoded_message
            if encoded and not message.encoded_truncated and self._sts is not None:
                return self._decode(encoded)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "unknown")
            logger.warning("AWS did not explain %s: %s", request.event_id, code)
        except BotoCoreError as exc:
            logger.warning("AWS did not explain %s: %s", request.event_id, exc)
        return None

    def _details(self, authorization_id: str) -> AwsReport | None:
        response = self._toolbox.get_request_authorization_details(
            authorizationId=authorization_id
        )
        return report_from_details(response)

    def _decode(self, encoded: str) -> AwsReport | None:
        response = self._sts.decode_authorization_message(EncodedMessage=encoded)
        return report_from_decoded(json.loads(response["DecodedMessage"]))

    def annotate(
        self, item: RecordItem | ReadError, result: Mapping[str, Any], line: str
    ) -> tuple[Mapping[str, Any], str]:
        """The result with AWS's account and agreement; unchanged if AWS says none."""
        if not isinstance(item, RecordItem):
            return result, line
        report = self.ask(build_request(item.record))
        if report is None:
            return result, line
        changed = {
            **result,
            "AwsReported": report.to_dict(),
            "AgreesWithAws": agrees(report, result),
        }
        return changed, json.dumps(changed)


def report_from_details(response: Mapping[str, Any]) -> AwsReport | None:
    """The denying check of GetRequestAuthorizationDetails: explicit first."""
    evaluations: Sequence[Mapping[str, Any]] = response.get("evaluations") or ()
    checks = [check for item in evaluations for check in item.get("checks") or ()]
    for effect in DENYING_EFFECTS:
        for check in checks:
            if check.get("evaluatedEffect") != effect:
                continue
            policies = check.get("matchedPolicies") or ()
            return AwsReport(
                layer=CHECK_LAYERS.get(str(check.get("checkType"))),
                explicit=effect == "EXPLICIT_DENY",
                policy_arn=policies[0].get("uri") if policies else None,
                source="GetRequestAuthorizationDetails",
            )
    return None


def report_from_decoded(decoded: Mapping[str, Any]) -> AwsReport | None:
    """What a decoded authorization message says: allowed, explicit deny."""
    if decoded.get("allowed") is True:
        return None
    return AwsReport(
        layer=None,
        explicit=bool(decoded.get("explicitDeny")),
        policy_arn=None,
        source="DecodeAuthorizationMessage",
    )


def agrees(report: AwsReport, result: Mapping[str, Any]) -> bool:
    """Whether the result blames what AWS blamed (layer, and explicit or not)."""
    code = str(result.get("ReasonCode", ""))
    denied = list(result.get("DeniedBy") or [])
    if report.layer is not None and report.layer not in denied:
        return False
    if report.explicit is None or report.layer in ("scp", "rcp"):
        return bool(denied)
    return report.explicit == code.endswith("explicit_deny")
