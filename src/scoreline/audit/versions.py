"""Saving or ending a version of a definition together with the audit event that records it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from scoreline.audit.chain import record_event
from scoreline.lib.versioned import V, end_version, save_version, version_fields

__all__ = [
    "end_audited_version",
    "save_audited_version",
    "save_or_end_audited_version",
    "version_record",
]


def version_record(version: models.Model | None) -> dict[str, Any] | None:
    """A version as an audit before/after: its versioned content and the day it starts."""
    if version is None:
        return None
    return {**version_fields(version), "valid_from": getattr(version, "valid_from", None)}


def save_audited_version(
    actor: Any,
    model: type[V],
    identity: dict[str, Any],
    content: dict[str, Any],
    *,
    day: dt.date,
    reason: str,
    source: str,
    action: str,
    object_type: str,
    object_id: object = None,
) -> V | None:
    """Save ``content`` as ``identity``'s version from ``day`` and record the change.

    Returns the new version, or None when the version in force already held the content
    (then nothing is written and no event recorded). The event names ``object_id``, or the
    new version's id when none is given.
    """
    before, after = save_version(
        model, identity, content, day=day, author=actor, reason=reason, source=source
    )
    if after is None:
        return None
    record_event(
        actor,
        action,
        object_type,
        after.pk if object_id is None else object_id,
        before=version_record(before),
        after=version_record(after),
        reason=reason,
    )
    return after


def end_audited_version(
    actor: Any,
    model: type[V],
    identity: dict[str, Any],
    *,
    day: dt.date,
    reason: str,
    source: str,
    action: str,
    object_type: str,
    object_id: object = None,
) -> V | None:
    """End ``identity``'s version in force on ``day`` (its last day is the day before) and
    record the change; None when none was in force (nothing is written)."""
    ended = end_version(model, day, **identity)
    if ended is None:
        return None
    record_event(
        actor,
        action,
        object_type,
        ended.pk if object_id is None else object_id,
        before=version_record(ended),
        after={"valid_until": day, "source": source},
        reason=reason,
    )
    return ended


def save_or_end_audited_version(
    actor: Any,
    model: type[V],
    identity: dict[str, Any],
    content: dict[str, Any] | None,
    *,
    day: dt.date,
    reason: str,
    source: str,
    object_type: str,
    actions: tuple[str, str],
) -> V | None:
    """Save ``content`` from ``day`` or, when it is None, end the version in force, with the
    first or the second of ``actions`` as the audit event."""
    saved, ended = actions
    if content is None:
        return end_audited_version(
            actor,
            model,
            identity,
            day=day,
            reason=reason,
            source=source,
            action=ended,
            object_type=object_type,
        )
    return save_audited_version(
        actor,
        model,
        identity,
        content,
        day=day,
        reason=reason,
        source=source,
        action=saved,
        object_type=object_type,
    )
