"""Test session: one real rw-server (the checkout's build, or $RW_SERVER_BINARY) on an ephemeral port."""

import itertools
import os

import pytest

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer, find_rw_server

_ids = itertools.count(1)


@pytest.fixture(scope="session")
def rw_server_binary():
    return find_rw_server()


@pytest.fixture(scope="session")
def server(rw_server_binary):
    with LocalServer(rw_server_binary) as running:
        yield running


@pytest.fixture
def client(server):
    with RewardWeighting(server.address) as connected:
        yield connected


@pytest.fixture
def run_id(request):
    """A run id unique within the session, named after the test."""
    name = request.node.name.replace("[", "-").replace("]", "").replace(" ", "")[:100]
    return f"{name}-{os.getpid()}-{next(_ids)}"
