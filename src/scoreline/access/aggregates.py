"""Aggregates about people that never reveal a small group to someone who could not see it.

A group smaller than ``MIN_GROUP_SIZE`` is suppressed unless the user may see every person
in it one by one. Totals and visible counts come from the same grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Aggregate, Count, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, people_q
from scoreline.org.models import Person

__all__ = ["Group", "summarise_people"]


@dataclass(frozen=True)
class Group:
    key: Any
    count: int | None
    measures: dict[str, Any]

    @property
    def suppressed(self) -> bool:
        return self.count is None


def summarise_people(
    user: AnyUser,
    people: QuerySet[Person],
    by: str,
    *,
    capability: Capability = Capability.VIEW_PEOPLE,
    measures: dict[str, Aggregate] | None = None,
) -> list[Group]:
    """Group ``people`` (unscoped) by ``by`` with a head count and optional measures.

    ``capability`` is the right needed to see the individuals behind the numbers, e.g.
    ``VIEW_PAY`` for an average salary or ``VIEW_PROTECTED`` for a split by gender.
    """
    measures = measures or {}
    rows = (
        people.order_by()
        .values(by)
        .annotate(
            _total=Count("pk"), _visible=Count("pk", filter=people_q(user, capability)), **measures
        )
        .order_by(by)
    )
    minimum: int = settings.MIN_GROUP_SIZE
    groups = []
    for row in rows:
        hidden = row["_total"] < minimum and row["_visible"] < row["_total"]
        groups.append(
            Group(
                key=row[by],
                count=None if hidden else row["_total"],
                measures={name: None if hidden else row[name] for name in measures},
            )
        )
    return groups
