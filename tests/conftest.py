from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import Settings

from tests.enterprise import PASSWORD, Enterprise, build_enterprise


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Argon2 is the production hasher (tested in tests/access); tests build many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def enterprise(db: None) -> Enterprise:
    return build_enterprise()


@pytest.fixture
def client_for(enterprise: Enterprise) -> Callable[[str | None], Client]:
    """A logged-in test client for a persona name; ``None`` gives an anonymous client."""

    def make(persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            assert client.login(username=persona, password=PASSWORD)
        return client

    return make
