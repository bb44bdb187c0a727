from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

ClientFor = Callable[[str | None], Client]


@pytest.fixture
def page_of(client_for: ClientFor) -> Callable[[str | None, str], str]:
    """The HTML a persona gets for a URL, asserting it was served."""

    def fetch(persona: str | None, url: str) -> str:
        response = client_for(persona).get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        return response.content.decode()

    return fetch
