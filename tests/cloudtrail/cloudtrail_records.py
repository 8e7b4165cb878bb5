"""A CloudTrail denial record factory and the path of the real samples."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REAL_SAMPLES = PROJECT_ROOT.parent / "shared" / "samples" / "cloudtrail-real"

ROLE_ARN = "arn:aws:iam::111122223333:role/app"
SESSION_ARN = "arn:aws:sts::111122223333:assumed-role/app/session-1"

BASE_RECORD: dict[str, Any] = {
    "eventVersion": "1.09",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:session-1",
        "arn": SESSION_ARN,
        "accountId": "111122223333",
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLE",
                "arn": ROLE_ARN,
                "accountId": "111122223333",
                "userName": "app",
            },
            "attributes": {
                "creationDate": "2024-05-01T10:00:00Z",
                "mfaAuthenticated": "false",
            },
        },
    },
    "eventTime": "2024-05-01T10:30:00Z",
    "eventSource": "s3.amazonaws.com",
    "eventName": "GetObject",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "198.51.100.7",
    "userAgent": "aws-cli/2.15",
    "errorCode": "AccessDenied",
    "errorMessage": "Access Denied",
    "requestParameters": {"bucketName": "bucket-a", "key": "reports/1.csv"},
    "responseElements": None,
    "eventID": "e-1",
    "eventType": "AwsApiCall",
    "recipientAccountId": "111122223333",
}


def make_record(**members: Any) -> dict[str, Any]:
    """A denial record like CloudTrail writes, with some members replaced.

    A member given as None is removed.
    """
    record = copy.deepcopy(BASE_RECORD)
    for key, value in members.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record
