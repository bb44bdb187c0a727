"""Check constraints shared by many tables."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

__all__ = ["dates_ordered", "exactly_one_set"]


def dates_ordered(name: str) -> models.CheckConstraint:
    """An open end, or an end after the start: ``valid_from < valid_until``."""
    return models.CheckConstraint(
        condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")), name=name
    )


def exactly_one_set(first: str, second: str, name: str) -> models.CheckConstraint:
    """Exactly one of two nullable foreign keys is set (a unit or a person, say)."""
    first_only = Q(**{f"{first}__isnull": False, f"{second}__isnull": True})
    second_only = Q(**{f"{first}__isnull": True, f"{second}__isnull": False})
    return models.CheckConstraint(condition=first_only | second_only, name=name)
