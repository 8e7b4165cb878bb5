"""A moto server on 127.0.0.1 holding a three-account organization to collect.

The fixture starts moto's ThreadedMotoServer itself on a free loopback port,
points boto3 at it through AWS_ENDPOINT_URL, builds the organization through
the same role assumption the collector uses, and stops the server at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto_world import World, build_world, moto_server


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A running moto server; its URL is the endpoint of every boto3 client."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def world(moto_endpoint: str) -> World:
    """The organization, principals and resources created in moto."""
    return build_world()


@pytest.fixture
def session(world: World) -> Any:
    """A fresh boto3 session of the management account's caller."""
    import boto3

    return boto3.Session(region_name="us-east-1")
