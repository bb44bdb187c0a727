"""Test worlds built once per test session and switched between by restoring table copies.

A world is a database state: ``base`` is the state the migrations leave (reference data
only); every other world is built by a function on top of its parent world. The first time
a world is entered it is built and committed, and every table Django manages is copied into
a shadow table beside it (``CREATE TABLE ... AS SELECT``). Entering it again empties the
tables and copies the rows back, which costs milliseconds where the build costs tenths of a
second or seconds.

Transitions happen between tests, outside any test transaction, so each ordinary test
still runs in its own transaction on top of the committed world and rolls back its own
changes. A transactional test (``django_db(transaction=True)``) empties the tables when it
ends; the world is then unknown and the next test that needs one has it restored.

The shadow tables are not Django's: a flush leaves them alone and the test database is
dropped with them at the end of the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from pytest_django.fixtures import validate_django_db

from tests.builders.reference import install_reference_data

__all__ = ["BASE", "WORLDS", "World", "Worlds", "database_use"]

BASE = "base"


@dataclass
class World:
    key: str
    parent: str
    #: Builds the world on top of its parent, given what the parent's build returned.
    build: Callable[[Any], Any]
    #: What a test gets: the built objects read again, so no test sees another's changes.
    fresh: Callable[[Any], Any]


class Worlds:
    """The registry of worlds and the state the test database is in, for one process."""

    def __init__(self) -> None:
        self.registry: dict[str, World] = {}
        self.by_fixture: dict[str, str] = {}
        self.results: dict[str, Any] = {}
        self.snapshots: dict[str, int] = {}
        #: The world committed in the database; ``None`` when unknown (after a flush).
        self.current: str | None = None
        #: The world of the test during whose set-up the database is created.
        self.first = BASE
        self._unblock: Callable[[], Any] | None = None

    # --- registration -----------------------------------------------------------------

    def fixture(
        self,
        key: str,
        build: Callable[[Any], Any],
        *,
        parent: str = BASE,
        fresh: Callable[[Any], Any] = lambda built: built,
    ) -> Any:
        """Register a world and return the fixture ``world_<key>`` that gives it to a test.

        The fixture takes the parent world's value (``None`` for the base). A test whose
        fixtures include ``world_<key>`` runs in that world: it is committed before the
        test starts. Assign the fixture to the name ``world_<key>`` in a conftest or test
        module.
        """
        name = f"world_{key}"
        if key in self.registry:
            raise RuntimeError(f"the world {key!r} is registered twice")
        self.registry[key] = World(key=key, parent=parent, build=build, fresh=fresh)
        self.by_fixture[name] = key

        def give(request: pytest.FixtureRequest, db: None) -> Any:
            if database_use(request.node)[1]:
                # A transactional test starts from tables another one may have emptied.
                install_reference_data()
            above = request.getfixturevalue(f"world_{parent}") if parent != BASE else None
            return self.get(key, above)

        give.__name__ = name
        return pytest.fixture(name=name)(give)

    def get(self, key: str, above: Any) -> Any:
        """The world's objects for a test: fresh copies of the committed world's, or, when
        the world is not committed (the first test of a session, a transactional test),
        built now inside the test from ``above``, its parent's value."""
        world = self.registry[key]
        built = self.result(key)
        if built is None:
            return world.build(above)
        return world.fresh(built)

    def depth(self, key: str) -> int:
        return 0 if key == BASE else 1 + self.depth(self.registry[key].parent)

    def wanted(self, item: pytest.Item) -> str:
        """The world a test runs in: the deepest one among its fixtures and its ``world``
        markers, else the base."""
        names = getattr(item, "fixturenames", ())
        keys = {self.by_fixture[name] for name in names if name in self.by_fixture}
        keys |= {mark.args[0] for mark in item.iter_markers("world")}
        return max(keys, key=self.depth) if keys else BASE

    # --- the session ------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._unblock is not None

    def start(self, unblock: Callable[[], Any]) -> None:
        """Called once the test database exists: its state is the base world."""
        self._unblock = unblock
        self.current = BASE
        with unblock():
            self._snapshot(BASE)

    def stop(self) -> None:
        self._unblock = None
        self.current = None
        self.snapshots.clear()
        self.results.clear()

    def forget(self) -> None:
        """The tables were emptied or changed outside the worlds' knowledge."""
        self.current = None

    def enter(self, key: str) -> None:
        """Commit the world ``key`` in the database, restoring or building it."""
        if self.current == key:
            return
        assert self._unblock is not None, "the test database is not set up yet"
        with self._unblock(), self._unknown_on_error():
            self._enter(key)

    def result(self, key: str) -> Any:
        """What the world's build returned, while it (or a world built on it) is committed."""
        current = self.current
        while current is not None and current != BASE:
            if current == key:
                return self.results.get(key)
            current = self.registry[current].parent
        return None

    # --- internals --------------------------------------------------------------------

    @contextmanager
    def _unknown_on_error(self) -> Iterator[None]:
        try:
            yield
        except BaseException:
            self.current = None
            raise

    def _enter(self, key: str) -> None:
        if self.current == key:
            return
        if key in self.snapshots:
            self._restore(key)
            self.current = key
            return
        world = self.registry[key]
        self._enter(world.parent)
        above = None
        if world.parent != BASE:
            above = self.registry[world.parent].fresh(self.results[world.parent])
        with transaction.atomic():
            self.current = None
            self.results[key] = world.build(above)
        self._snapshot(key)
        self.current = key

    def _snapshot(self, key: str) -> None:
        number = self.snapshots.get(key, len(self.snapshots))
        with connection.cursor() as cursor:
            for index, table in enumerate(_tables()):
                shadow = _shadow(number, index)
                cursor.execute(f"DROP TABLE IF EXISTS {shadow}")
                cursor.execute(f"CREATE TABLE {shadow} AS SELECT * FROM {_quote(table)}")
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TABLE IF EXISTS {_shadow(number, 'seq')}")
                cursor.execute(
                    f"CREATE TABLE {_shadow(number, 'seq')} AS SELECT * FROM sqlite_sequence"
                )
        self.snapshots[key] = number

    def _restore(self, key: str) -> None:
        number = self.snapshots[key]
        tables = _tables()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(_quote(t) for t in tables)}")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {_quote(table)}")
            for index, table in enumerate(tables):
                cursor.execute(
                    f"INSERT INTO {_quote(table)} SELECT * FROM {_shadow(number, index)}"
                )
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence")
                cursor.execute(
                    f"INSERT INTO sqlite_sequence SELECT * FROM {_shadow(number, 'seq')}"
                )
            else:
                for sql in connection.ops.sequence_reset_sql(no_style(), _models()):
                    cursor.execute(sql)
        # Cached content types may name rows a flush replaced.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()


def database_use(item: pytest.Item) -> tuple[bool, bool]:
    """Whether a test uses the database, and whether transactionally, as pytest-django
    decides it."""
    names = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    transactional = any(
        name in names for name in ("transactional_db", "live_server", "django_db_reset_sequences")
    )
    uses = marker is not None or transactional or "db" in names
    if marker is not None:
        transaction_, reset_sequences, *_ = validate_django_db(marker)
        transactional = transactional or transaction_ or reset_sequences
    return uses, transactional


def _models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _tables() -> list[str]:
    """Every table Django manages, in a fixed order."""
    existing = set(connection.introspection.table_names())
    return sorted({m._meta.db_table for m in _models()} & existing)


def _shadow(number: int, index: int | str) -> str:
    return f"zz_world_{number}_{index}"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


WORLDS = Worlds()
