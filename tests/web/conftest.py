from __future__ import annotations

import pytest

from tests.builders import strategy_pages
from tests.builders.enterprise import Enterprise
from tests.builders.pages import ClientFor, PageOf
from tests.builders.worlds import WORLDS

world_web_strategy = WORLDS.fixture(
    "web_strategy",
    strategy_pages.build_strategy,
    parent="enterprise",
    fresh=strategy_pages.reread,
)
world_web_strategy_plain = WORLDS.fixture(
    "web_strategy_plain",
    strategy_pages.build_plain_strategy,
    parent="enterprise",
    fresh=strategy_pages.reread,
)


@pytest.fixture
def strategy(
    enterprise: Enterprise, world_web_strategy: strategy_pages.StrategyWorld
) -> strategy_pages.StrategyWorld:
    """KPIs with a year of values, objectives, a workshop and a pending change request
    (tests/builders/strategy_pages.py)."""
    return world_web_strategy


@pytest.fixture
def page_of(client_for: ClientFor) -> PageOf:
    """The HTML a persona gets for a URL, asserting it was served."""

    def fetch(persona: str | None, url: str) -> str:
        response = client_for(persona).get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        return response.content.decode()

    return fetch
