"""Checking the audit chain against its hashes, its seals and the checkpoints outside the database.

The hashes find an event edited or removed by someone who did not recompute the chain; the
seals find one rewritten with recomputed hashes, as only the audit key can seal; the
checkpoints find events removed from the end, or every event removed with the head.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from scoreline.audit.chain import EVENT_SEAL, GENESIS_HASH, event_hash, record_event
from scoreline.audit.checkpoints import Checkpoint, append_checkpoint, read_checkpoints
from scoreline.audit.models import AuditEvent, AuditHead
from scoreline.audit.seals import AuditKey, audit_key, missing_key, sealing_key
from scoreline.lib.errors import Invalid

__all__ = ["SEAL_ACTION", "ChainCheck", "seal_chain", "take_checkpoint", "verify_chain"]

SEAL_ACTION = "audit.seal"

# What reading back a value its column's type cannot hold raises (SQLite stores any text).
_UNREADABLE = (ValueError, TypeError, AttributeError, OverflowError)
_CHUNK = 5000


@dataclass(frozen=True)
class ChainCheck:
    #: Events that held, from #1 on.
    checked: int
    #: The first event that does not hold; ``None`` when the fault is not one event's.
    broken_seq: int | None = None
    problem: str = ""
    #: The hash of the last event that held.
    last_hash: str = GENESIS_HASH
    #: The first sealed event; events before it were written before sealing.
    sealed_from: int | None = None
    #: What the check rested on, one sentence each, for an intact chain.
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def unsealed(self) -> bool:
        """Events that hold, none of them sealed: a chain from before sealing (or stripped)."""
        return self.checked > 0 and self.sealed_from is None


def verify_chain() -> ChainCheck:
    """Walk the chain from the first event; name the first event that does not hold."""
    key = audit_key()
    path = Path(settings.AUDIT_CHECKPOINTS)
    checkpoints = read_checkpoints(path, key)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # The head and the events as of one moment, while writers go on (on SQLite the
            # transaction holds them off until it ends).
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head = AuditHead.objects.filter(id=1).first()
        walk = _Walk(key, checkpoints)
        fault = walk.run()

    def broken(seq: int | None, problem: str) -> ChainCheck:
        return ChainCheck(walk.seq, seq, problem, walk.hash, walk.sealed_from)

    if fault is not None:
        return broken(*fault)
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq > walk.seq:
        return broken(
            walk.seq + 1, f"events after #{walk.seq} are missing (the chain ends at #{head_seq})"
        )
    if (head_seq, head_hash) != (walk.seq, walk.hash):
        return broken(walk.seq, f"the chain's head names #{head_seq}, not its last event")
    furthest = max(checkpoints, key=lambda checkpoint: checkpoint.seq, default=None)
    if furthest is not None and furthest.seq > walk.seq:
        return broken(
            walk.seq + 1,
            f"events #{walk.seq + 1} to #{furthest.seq} are missing: "
            f"{furthest.describe()} saw the chain reach #{furthest.seq}",
        )
    if walk.seq and walk.sealed_from is None:
        return broken(
            None,
            f"none of the {walk.seq} events carries a seal of the audit key: a chain written "
            "before events were sealed is anchored once with `scoreline audit seal`; "
            "a chain that was sealed has had its seals removed",
        )
    notes = (_sealing_note(walk, key), _checkpoint_note(checkpoints, path))
    return ChainCheck(walk.seq, None, "", walk.hash, walk.sealed_from, notes)


class _Walk:
    """One pass over the events in order, stopping at the first that does not hold."""

    def __init__(self, key: AuditKey | None, checkpoints: list[Checkpoint]) -> None:
        self.key = key
        # Checkpoints read from the file were sealed with this key, so the key is the right one.
        self.key_confirmed = bool(checkpoints)
        self.due = {checkpoint.seq: checkpoint for checkpoint in checkpoints}
        self.seq, self.hash = 0, GENESIS_HASH
        self.sealed_from: int | None = None
        self.agreed = 0  # the last event a checkpoint agreed with

    def run(self) -> tuple[int, str] | None:
        """The first event that does not hold and why, or ``None``."""
        try:
            for event in _stored_events():
                fault = self._fault(event)
                if fault:
                    return self.seq + 1, fault
                self.seq, self.hash = event.seq, event.hash
        except _Unreadable as unreadable:
            return unreadable.seq, f"event #{unreadable.seq} cannot be read ({unreadable.error})"
        return None

    def _fault(self, event: AuditEvent) -> str:
        seq = self.seq + 1
        if event.seq != seq:
            return f"event #{seq} is missing (next is #{event.seq})"
        if event.prev_hash != self.hash:
            return f"event #{seq} does not follow #{seq - 1}"
        if not isinstance(event.occurred_at, datetime):
            return f"event #{seq} cannot be read: its occurred_at is not a date and time"
        if event_hash(event) != event.hash:
            return f"event #{seq} was altered after it was written"
        fault = self._seal_fault(event)
        checkpoint = self.due.get(seq)
        if fault or checkpoint is None:
            return fault
        if checkpoint.hash != event.hash:
            return (
                f"event #{seq} differs from {checkpoint.describe()}: "
                f"an event from #{self.agreed + 1} to #{seq} was rewritten"
            )
        self.agreed = seq
        return ""

    def _seal_fault(self, event: AuditEvent) -> str:
        if not event.seal:
            if self.sealed_from is None:
                return ""  # written before events were sealed
            return (
                f"event #{event.seq} has lost its seal (events are sealed from #{self.sealed_from})"
            )
        if self.key is None:
            raise missing_key(f"the audit trail is sealed from event #{event.seq}")
        first = self.sealed_from is None
        if first:
            self.sealed_from = event.seq
        if self.key.holds(EVENT_SEAL, event.hash, event.seal):
            return ""
        seq = event.seq
        if first and not self.key_confirmed and not _sealed_after(seq, self.key):
            return (
                f"event #{seq} does not match its seal, nor does any later event: the audit key "
                f"in use ({self.key.origin}, key {self.key.id}) is not the one that sealed the "
                f"chain, or every sealed event from #{seq} on was rewritten"
            )
        before = ", or an event written before sealing," if first and seq > 1 else ""
        return (
            f"event #{seq} does not match its seal: it{before} was rewritten "
            "and the hashes recomputed"
        )


class _Unreadable(Exception):
    def __init__(self, seq: int, error: Exception) -> None:
        self.seq, self.error = seq, error


def _stored_events() -> Iterator[AuditEvent]:
    """Every event in order; one whose values cannot be read back raises ``_Unreadable``."""
    events = AuditEvent.objects.order_by("seq")
    done = 0
    try:
        for event in events.iterator(chunk_size=_CHUNK):
            yield event
            done = event.seq
    except _UNREADABLE:
        # Rows are read back a chunk at a time: read the rest one by one to name the culprit.
        for seq in events.filter(seq__gt=done).values_list("seq", flat=True):
            try:
                event = events.get(seq=seq)
            except _UNREADABLE as error:
                raise _Unreadable(seq, error) from None
            yield event


def _sealed_after(seq: int, key: AuditKey) -> bool:
    """Whether any event after ``seq`` matches its seal with this key."""
    later = AuditEvent.objects.filter(seq__gt=seq).exclude(seal="").values_list("hash", "seal")
    return any(key.holds(EVENT_SEAL, hash_, seal) for hash_, seal in later.iterator())


def _sealing_note(walk: _Walk, key: AuditKey | None) -> str:
    if walk.sealed_from is None or key is None:
        return "the chain is empty"
    sealed = f"sealed with audit key {key.id} ({key.origin})"
    if walk.sealed_from == 1:
        return f"every event is {sealed}"
    return (
        f"events #1 to #{walk.sealed_from - 1} were written before events were sealed and are "
        f"anchored by the seal of #{walk.sealed_from}; from #{walk.sealed_from} on, events are "
        f"{sealed}"
    )


def _checkpoint_note(checkpoints: list[Checkpoint], path: Path) -> str:
    if not checkpoints:
        return f"no checkpoint in {path} yet: `scoreline audit checkpoint` takes one"
    latest, count = checkpoints[-1], len(checkpoints)
    return (
        f"agrees with {count} checkpoint{'s' if count > 1 else ''} in {path}; the latest is "
        f"{latest.describe()} at event #{latest.seq}"
    )


def take_checkpoint() -> Checkpoint:
    """Verify the chain, then append its sealed head to the checkpoint file."""
    check = verify_chain()
    if not check.ok:
        raise Invalid(f"no checkpoint taken, as the audit chain does not verify: {check.problem}")
    path = Path(settings.AUDIT_CHECKPOINTS)
    return append_checkpoint(path, sealing_key(), check.checked, check.last_hash)


def seal_chain() -> AuditEvent | None:
    """Anchor a chain written before events were sealed: one sealed event that follows it.

    Its seal covers the hash of the last unsealed event, and so every event before it. Gives
    ``None`` when there is nothing to seal: the chain is empty or already sealed.
    """
    check = verify_chain()
    if check.ok:
        return None
    if not check.unsealed or check.broken_seq is not None:
        raise Invalid(f"the audit chain does not verify, so it was not sealed: {check.problem}")
    with transaction.atomic():
        return record_event(
            None,
            SEAL_ACTION,
            "audit_chain",
            check.checked,
            after={"written_before_sealing": [1, check.checked], "last_hash": check.last_hash},
            reason="The events before this one were written before events were sealed; "
            "this event's seal anchors them.",
        )
