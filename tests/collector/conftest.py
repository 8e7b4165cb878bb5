"""A moto server on 127.0.0.1 holding a three-account organization to collect.

The fixture starts moto's ThreadedMotoServer itself on a free loopback port,
points boto3 at it through AWS_ENDPOINT_URL, builds the organization through
the same role assumption the collector uses, and stops the server at the end.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from moto_world import World, build_world


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A running moto server; its URL is the endpoint of every boto3 client."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto's backends are global to the process: start from an empty AWS.
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    ).close()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", endpoint)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv("AWS_CONFIG_FILE", "/dev/null")
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
            patch.delenv(name, raising=False)
        try:
            yield endpoint
        finally:
            server.stop()


@pytest.fixture(scope="module")
def world(moto_endpoint: str) -> World:
    """The organization, principals and resources created in moto."""
    return build_world()


@pytest.fixture
def session(world: World) -> Any:
    """A fresh boto3 session of the management account's caller."""
    import boto3

    return boto3.Session(region_name="us-east-1")
