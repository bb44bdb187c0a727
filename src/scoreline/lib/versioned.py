"""Effective-dated versions of definitions: who changed what, why, and from which day.

A definition (an objective, a KPI, a target, a weight, a status rule) is a stable identity
with a run of versions. Each version is valid from a day (inclusive) until the next one's
first day (exclusive); the open version has no end. Any past state is the set of versions
in force on that day, which is what makes "as of" recomputation exact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models

__all__ = [
    "VersionChange",
    "Versioned",
    "diff_versions",
    "end_version",
    "save_version",
    "version_fields",
    "version_history",
    "version_on",
]

# Bookkeeping columns of a version; everything else is the content being versioned.
VERSION_COLUMNS = frozenset(
    {"id", "valid_from", "valid_until", "author", "reason", "source", "recorded_at"}
)


class Versioned(models.Model):
    """Abstract base of every effective-dated definition version."""

    # The foreign key naming the identity this version belongs to (None: the row is its own key).
    identity_field: ClassVar[str | None] = None

    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True, help_text="First day no longer valid")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    source = models.CharField(
        max_length=80, blank=True, help_text="Where the change came from: page, API, YAML, workshop"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


def version_fields(version: models.Model) -> dict[str, Any]:
    """The versioned content of a row: concrete fields minus the bookkeeping, FKs as ids."""
    content: dict[str, Any] = {}
    for field in version._meta.concrete_fields:
        if field.name in VERSION_COLUMNS:
            continue
        content[field.name] = getattr(version, field.attname)
    return content


def diff_versions(before: models.Model | None, after: models.Model) -> dict[str, tuple[Any, Any]]:
    """Fields whose value differs between two versions: name -> (before, after)."""
    new = version_fields(after)
    old = version_fields(before) if before is not None else dict.fromkeys(new)
    return {name: (old.get(name), value) for name, value in new.items() if old.get(name) != value}


@dataclass(frozen=True)
class VersionChange:
    """One version of a definition and what it changed from the one before."""

    version: Any  # a Versioned row
    changes: dict[str, tuple[Any, Any]]

    @property
    def author(self) -> Any:
        """The user who made the version (None for the system)."""
        return self.version.author

    @property
    def reason(self) -> str:
        return str(self.version.reason)

    @property
    def source(self) -> str:
        return str(self.version.source)


def version_history(versions: Sequence[models.Model]) -> list[VersionChange]:
    """Each of a definition's versions, oldest first, with what it changed from the one
    before (``versions`` in order of their first day)."""
    previous: list[models.Model | None] = [None, *versions[:-1]]
    return [
        VersionChange(version, diff_versions(before, version))
        for before, version in zip(previous, versions, strict=True)
    ]


V = TypeVar("V", bound=Versioned)


def version_on(model: type[V], day: dt.date, **identity: Any) -> V | None:
    """The version of one identity in force on ``day``, if any."""
    return (
        model._default_manager.filter(**identity, valid_from__lte=day)
        .filter(models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=day))
        .first()
    )


def save_version(
    model: type[V],
    identity: dict[str, Any],
    content: dict[str, Any],
    *,
    day: dt.date,
    author: Any,
    reason: str,
    source: str,
) -> tuple[V | None, V | None]:
    """Make ``content`` the version of ``identity`` from ``day``; returns (before, after).

    Nothing changes when the version in force already holds that content: ``after`` is then
    None. A version starting on ``day`` is corrected in place; otherwise the one in force is
    closed the day before and the new one runs until the next later version, if any. Must run
    inside the caller's transaction, which also records the audit event.
    """
    current = version_on(model, day, **identity)
    if current is not None:
        unchanged = all(getattr(current, name) == value for name, value in content.items())
        if unchanged:
            return current, None
    later = (
        model._default_manager.filter(**identity, valid_from__gt=day).order_by("valid_from").first()
    )
    until = later.valid_from if later is not None else None
    author = author if getattr(author, "is_authenticated", False) else None
    if current is not None and current.valid_from == day:
        before = model._default_manager.get(pk=current.pk)
        for name, value in content.items():
            setattr(current, name, value)
        current.author, current.reason, current.source = author, reason, source
        current.save()
        return before, current
    if current is not None:
        current.valid_until = day
        current.save(update_fields=["valid_until"])
    created = model._default_manager.create(
        **identity,
        **content,
        valid_from=day,
        valid_until=until,
        author=author,
        reason=reason,
        source=source,
    )
    return current, created


def end_version(model: type[V], day: dt.date, **identity: Any) -> V | None:
    """Close the version in force on ``day`` (retirement); returns it, or None if none was."""
    current = version_on(model, day, **identity)
    if current is None:
        return None
    if current.valid_from == day:
        current.delete()
    else:
        current.valid_until = day
        current.save(update_fields=["valid_until"])
    return current
