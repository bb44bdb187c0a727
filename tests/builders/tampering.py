"""What someone with write access to the database, and nothing else, can do to the audit trail.

Each move goes straight to the tables, past the actions, as such a person would.
"""

from __future__ import annotations

from django.db import connection

from scoreline.audit.chain import EVENT_SEAL, GENESIS_HASH, event_hash
from scoreline.audit.models import AuditEvent, AuditHead
from scoreline.audit.seals import AuditKey

__all__ = ["cut_tail", "delete_everything", "raw", "rehash_from", "rewrite", "strip_seals"]

EVENTS = AuditEvent._meta.db_table
HEAD = AuditHead._meta.db_table


def raw(sql: str, params: list[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(events=EVENTS, head=HEAD), params or [])


def rehash_from(seq: int, *, stolen_key: AuditKey | None = None) -> None:
    """Recompute the hash of event ``seq`` and of every later one, and move the head.

    With a stolen key, the events are resealed too; without one, their seals stay as they were.
    """
    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = previous
        event.hash = event_hash(event)
        if stolen_key is not None:
            event.seal = stolen_key.seal(EVENT_SEAL, event.hash)
        raw(
            "UPDATE {events} SET prev_hash = %s, hash = %s, seal = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.seal, event.pk],
        )
        previous = event.hash
    raw("UPDATE {head} SET last_hash = %s", [previous])


def rewrite(seq: int, reason: str, *, stolen_key: AuditKey | None = None) -> None:
    """Change what event ``seq`` says, then recompute the chain so every hash holds again."""
    raw("UPDATE {events} SET reason = %s WHERE seq = %s", [reason, seq])
    rehash_from(seq, stolen_key=stolen_key)


def cut_tail(count: int) -> int:
    """Remove the newest ``count`` events and move the head back to the one left last."""
    last = AuditEvent.objects.order_by("-seq")[count]
    raw("DELETE FROM {events} WHERE seq > %s", [last.seq])
    raw("UPDATE {head} SET last_seq = %s, last_hash = %s", [last.seq, last.hash])
    return last.seq


def delete_everything() -> None:
    raw("DELETE FROM {events}")
    raw("DELETE FROM {head}")


def strip_seals(first: int = 1, last: int | None = None) -> None:
    """Empty the seals of events ``first`` to ``last``, as events from before sealing have."""
    last = last if last is not None else AuditEvent.objects.order_by("-seq")[0].seq
    raw("UPDATE {events} SET seal = '' WHERE seq BETWEEN %s AND %s", [first, last])
