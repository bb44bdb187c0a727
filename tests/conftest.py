from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.test import Client
from pytest_django import Settings

from tests.enterprise import PASSWORD, Enterprise, build_enterprise


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests before their fixtures build anything on another database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="row locks across connections need PostgreSQL; CI runs this on PostgreSQL"
    )
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Argon2 is the production hasher (tested in tests/access); tests build many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Rows installed by data migrations. A transactional test empties every table when it ends,
# these rows too, so the transactional tests that follow install them again (idempotently).
REFERENCE_DATA_MIGRATIONS = [
    "scoreline.org.migrations.0002_countries_currencies",
    "scoreline.access.migrations.0002_builtin_roles",
    "scoreline.access.migrations.0003_strategy_capability",
    "scoreline.strategy.migrations.0002_default_perspectives",
    "scoreline.kpis.migrations.0002_default_statuses_rules_policy",
    "scoreline.scoring.migrations.0002_default_policy",
]


def install_reference_data() -> None:
    for module in REFERENCE_DATA_MIGRATIONS:
        import_module(module).install(django_apps, None)


@pytest.fixture
def enterprise(request: pytest.FixtureRequest, db: None) -> Enterprise:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        install_reference_data()
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
