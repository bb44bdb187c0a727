from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.builders import architecture
from tests.builders.api import ApiClient
from tests.builders.enterprise import PASSWORD, Enterprise
from tests.builders.worlds import WORLDS

world_api_architecture = WORLDS.fixture(
    "api_architecture",
    architecture.build_architecture,
    parent="enterprise",
    fresh=architecture.reread,
)


@pytest.fixture
def arch(
    enterprise: Enterprise, world_api_architecture: architecture.Architecture
) -> architecture.Architecture:
    """Strategy and KPIs of the test enterprise (tests/builders/architecture.py)."""
    return world_api_architecture


@pytest.fixture
def api_as(enterprise: Enterprise) -> Callable[[str | None], ApiClient]:
    """An API client logged in as a persona; ``None`` gives an anonymous one."""

    def make(persona: str | None) -> ApiClient:
        client = Client()
        if persona is not None:
            assert client.login(username=persona, password=PASSWORD)
        return ApiClient(client)

    return make
