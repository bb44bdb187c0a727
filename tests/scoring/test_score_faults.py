"""Faults while every score is stored (decision 8): a recompute killed half-way through its
writes leaves all the old scores, and a second recompute started meanwhile waits (SQLite)
or is refused with a clear message (PostgreSQL), never interleaving its rows with the
first one's. Real processes, on a copy of the test database (SQLite) or on the test
database itself (PostgreSQL)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from scoreline.audit.seals import audit_key
from scoreline.scoring.pipeline import recompute
from tests.builders.enterprise import Enterprise
from tests.builders.scores import NOW, build_scorecards

pytestmark = pytest.mark.django_db(transaction=True)

# A full recompute that stops after writing its first rows, says so, and goes on when a
# line arrives on its standard input.
PAUSED = """
import itertools, sys
from scoreline.cli import _setup_django
_setup_django()
from scoreline.lib import bulk
from scoreline.scoring.pipeline import recompute
write, paused = bulk.BulkInsert.write, []
def write_then_pause(self, rows):
    if paused:
        return write(self, rows)
    paused.append(True)
    rows = iter(rows)
    written = write(self, itertools.islice(rows, 5))
    print("writing", flush=True)
    sys.stdin.readline()
    return written + write(self, rows)
bulk.BulkInsert.write = write_then_pause
print(recompute(), flush=True)
"""
IDENTITY = "kind, kpi_id, objective_id, perspective_id, unit_id, person_id, period"


@dataclass
class Database:
    """The database the processes share, and how to read it from the test."""

    url: str
    sqlite_file: Path | None
    data_dir: Path

    def environment(self) -> dict[str, str]:
        kept = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        # The key that sealed the test database's audit trail, for `audit verify` to check.
        key = audit_key()
        assert key is not None
        shared = {"SCORELINE_AUDIT_KEY": key.secret.decode()}
        return kept | shared | {"DATABASE_URL": self.url, "SCORELINE_DATA_DIR": str(self.data_dir)}

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        if self.sqlite_file is not None:
            with sqlite3.connect(self.sqlite_file) as reader:
                return reader.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def ids(self) -> set[object]:
        return {row[0] for row in self.rows("SELECT id FROM kpis_score")}

    def repeated(self) -> list[tuple[object, ...]]:
        """Score rows stored twice for one node and month."""
        return self.rows(
            f"SELECT {IDENTITY}, COUNT(*) FROM kpis_score GROUP BY {IDENTITY} HAVING COUNT(*) > 1"
        )

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scoreline.cli", *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=120,
        )

    def recompute(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "scoreline.cli", "scores", "recompute"],
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def paused_recompute(self) -> subprocess.Popen[str]:
        """A full recompute halted half-way through its writes, its transaction open."""
        process = subprocess.Popen(
            [sys.executable, "-c", PAUSED],
            env=self.environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "writing"
        return process


@pytest.fixture
def database(enterprise: Enterprise, tmp_path: Path) -> Iterator[Database]:
    """The small scorecards of the storage tests, scored and committed."""
    with time_machine.travel(NOW, tick=False):
        build_scorecards(enterprise)
        recompute()
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        yield Database(
            f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
            f"{settings['PORT']}/{settings['NAME']}",
            None,
            tmp_path,
        )
        return
    copy = tmp_path / "scores.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(copy) as target:
        connection.connection.backup(target)
    yield Database(f"sqlite:///{copy}", copy, tmp_path)


def _after_the_server_lets_go(database: Database) -> subprocess.CompletedProcess[str]:
    """Recompute once the server has seen the killed process go (PostgreSQL notices a lost
    connection when it next reads from it, and only then releases its lock)."""
    deadline = time.monotonic() + 30
    while True:
        done = database.cli("scores", "recompute")
        if done.returncode == 0 or time.monotonic() > deadline:
            return done
        time.sleep(0.5)


def test_a_recompute_killed_while_writing_leaves_every_old_score_and_a_sound_audit_trail(
    database: Database,
) -> None:
    before = database.ids()
    assert len(before) > 60
    killed = database.paused_recompute()
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    assert database.ids() == before
    verified = database.cli("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    done = _after_the_server_lets_go(database)
    assert done.returncode == 0, done.stderr
    after = database.ids()
    assert len(after) >= len(before) and not after & before
    assert database.repeated() == []


def test_a_second_recompute_waits_or_is_refused_and_never_interleaves_with_the_first(
    database: Database,
) -> None:
    before = database.ids()
    first = database.paused_recompute()
    second = database.recompute()
    if connection.vendor == "postgresql":
        _, refused = second.communicate(timeout=120)
        assert second.returncode == 1
        assert refused.strip() == (
            "scoreline: Another recompute of the scores is running; try again once it has finished."
        )
    else:
        time.sleep(2)
        assert second.poll() is None  # waiting for the database's write lock
    assert first.stdin is not None
    first.stdin.write("go\n")
    first.stdin.flush()
    assert first.wait(timeout=60) == 0
    if connection.vendor == "sqlite":
        # The second takes the write lock as soon as the first commits, and may finish
        # before the first has even exited: only the end state can be read without a race.
        second.communicate(timeout=120)
        assert second.returncode == 0
    after = database.ids()
    # One whole set of new scores, written by whichever came last: never a mix, no repeats.
    assert len(after) == len(before) and not after & before
    assert database.repeated() == []
