"""Writing to the hash chain: each event hashed with its predecessor and sealed with the audit key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.utils import timezone

from scoreline.audit.models import AuditEvent, AuditHead
from scoreline.audit.seals import sealing_key
from scoreline.lib.request_id import current_request_id

__all__ = ["EVENT_SEAL", "GENESIS_HASH", "event_hash", "jsonable", "record_event", "snapshot"]

GENESIS_HASH = "0" * 64
#: What an event's seal is for (a checkpoint's seal has its own purpose).
EVENT_SEAL = "event"


def jsonable(value: Any) -> Any:
    """The value as it reads back from a JSON column (decimals and dates become strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(event: AuditEvent) -> str:
    body = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event; must run inside the transaction of the change it describes."""
    if not connection.in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change it records")
    head, _ = AuditHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH}
    )
    authenticated = actor is not None and actor.is_authenticated
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=timezone.now(),
        actor_id=actor.pk if authenticated else None,  # type: ignore[union-attr]
        actor_username=actor.get_username() if authenticated else "",  # type: ignore[union-attr]
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=jsonable(dict(before)) if before is not None else None,
        after=jsonable(dict(after)) if after is not None else None,
        reason=reason,
        request_id=current_request_id(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    event.seal = sealing_key().seal(EVENT_SEAL, event.hash)
    event.save()
    head.last_seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def snapshot(instance: Any) -> dict[str, Any]:
    """Every stored field of a model instance but its id, as audit before/after values.

    Foreign keys appear as the ids they hold, under the field's name.
    """
    return {
        field.name: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if not field.primary_key
    }
