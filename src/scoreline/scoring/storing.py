"""One writer of scores at a time, and every score replaced in one transaction (decision 8).

A full recompute reads, computes and replaces every stored score inside one transaction
that holds the scores' lock (:func:`replacing_scores`): readers see all the old scores
until it commits and all the new ones after, an interrupted recompute (``kill -9``
included) rolls back, and a second full recompute started meanwhile is refused with
:class:`ScoresBusy` instead of interleaving its rows with the first one's. A partial
recompute (after a value or a definition changed) waits for the lock
(:func:`hold_scores_lock`), so that it reads the stored scores it builds on only once a
full recompute has committed them.

The lock is PostgreSQL's transaction-level advisory lock, released at commit, at rollback
and when the connection is lost. SQLite needs none: its write transactions are
IMMEDIATE (``lib.env.sqlite_database``), so the transaction holds the database's write
lock from its start; another writer waits for the connection's timeout and is then
refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

from scoreline.lib.errors import Conflict
from scoreline.scoring.models import Score

__all__ = ["LOCK_KEY", "ScoresBusy", "delete_every_score", "hold_scores_lock", "replacing_scores"]

#: The advisory lock of the stored scores on PostgreSQL (any constant the application owns).
LOCK_KEY = 0x5C0E_5C0E


class ScoresBusy(Conflict):
    """Another recompute is writing the scores."""

    def __init__(self) -> None:
        super().__init__(
            "Another recompute of the scores is running; try again once it has finished.",
            code="scores_busy",
        )


@contextmanager
def replacing_scores() -> Iterator[None]:
    """A transaction in which every stored score is replaced; refused while another
    recompute holds the scores."""
    try:
        with transaction.atomic():
            if not _lock(wait=False):
                raise ScoresBusy()
            yield
    except OperationalError as error:
        # SQLite: the write lock stayed taken for the whole timeout.
        if connection.vendor == "sqlite" and "locked" in str(error):
            raise ScoresBusy() from error
        raise


def hold_scores_lock() -> None:
    """Wait for the scores' lock and hold it until the current transaction ends."""
    _lock(wait=True)


def _lock(*, wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True
    if not connection.in_atomic_block:
        raise RuntimeError("the scores' lock is held by a transaction: take it inside one")
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])
        row = cursor.fetchone()
    return wait or bool(row and row[0])


def delete_every_score() -> None:
    """Delete every stored score with one statement (no row-by-row cascade: nothing refers
    to a score). A DELETE rather than PostgreSQL's TRUNCATE, whose exclusive lock would
    keep every reader waiting until the new scores are committed."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(Score._meta.db_table)}")
