from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings
from pytest_django import DjangoDbBlocker, Settings

from tests.builders.enterprise import PASSWORD, Enterprise, build_enterprise, reread
from tests.builders.worlds import BASE, WORLDS, database_use

pytest_plugins = ["tests.builders.fixtures"]

# Property tests: random locally, so new examples keep being tried; with CI set, the same
# examples on every run and no example database. Both keep the deadline off and let slow
# examples be, as two test processes share two cores. HYPOTHESIS_PROFILE picks one by name.
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


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


# ----------------------------------------------------------------------------- worlds

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Commit the world the test runs in before its fixtures open its transaction."""
    uses, transactional = database_use(item)
    if not uses:
        return
    wanted = BASE if transactional else WORLDS.wanted(item)
    if WORLDS.started:
        _enter(wanted)
    else:
        # The first database test: its world is entered once the database is set up.
        WORLDS.first = wanted


def _enter(key: str) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        WORLDS.enter(key)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    finally:
        if database_use(item)[1]:
            # The transactional test emptied the tables when it ended.
            WORLDS.forget()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The test database, with the shared worlds built on it as the tests first need them."""
    WORLDS.start(django_db_blocker.unblock)
    _enter(WORLDS.first)
    yield
    WORLDS.stop()


world_enterprise = WORLDS.fixture("enterprise", lambda _: build_enterprise(), fresh=reread)


@pytest.fixture(autouse=True, scope="session")
def _audit_files_apart(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The audit key and checkpoints stay out of the data directory, where a demo's would
    judge the tests' chains (and the tests' key would outlive them)."""
    folder = tmp_path_factory.mktemp("audit")
    with override_settings(
        AUDIT_CHECKPOINTS=folder / "checkpoints.jsonl", AUDIT_KEY_FILE=folder / "audit_key"
    ):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    # Argon2 is the production hasher (tested in tests/access); tests build many users.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def enterprise(world_enterprise: Enterprise) -> Enterprise:
    """The shared test organisation (tests/builders/enterprise.py), as fresh instances."""
    return world_enterprise


@pytest.fixture
def client_for(enterprise: Enterprise) -> Callable[[str | None], Client]:
    """A logged-in test client for a persona name; ``None`` gives an anonymous client."""

    def make(persona: str | None) -> Client:
        client = Client()
        if persona is not None:
            assert client.login(username=persona, password=PASSWORD)
        return client

    return make
