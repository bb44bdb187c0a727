"""Effective dating: every versioned row is valid from a day (inclusive) until a day (exclusive)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

__all__ = [
    "effective_between",
    "effective_on",
    "periods_overlap",
    "today",
]


def today() -> dt.date:
    """Today's date in UTC, the business clock of the whole system."""
    return timezone.now().date()


def effective_on(day: dt.date, prefix: str = "") -> Q:
    """Rows in force on ``day``: ``valid_from <= day < valid_until`` (an open end never ends)."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


def effective_between(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    """Rows in force on at least one day from ``first`` to ``last`` (both included)."""
    return Q(**{f"{prefix}valid_from__lte": last}) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": first})
    )


def periods_overlap(
    a_from: dt.date, a_until: dt.date | None, b_from: dt.date, b_until: dt.date | None
) -> bool:
    """Whether two half-open date ranges share at least one day."""
    a_ends_after_b_starts = a_until is None or a_until > b_from
    b_ends_after_a_starts = b_until is None or b_until > a_from
    return a_ends_after_b_starts and b_ends_after_a_starts
