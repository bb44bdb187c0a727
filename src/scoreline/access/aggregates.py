"""Counts of people that never let a viewer work out a group smaller than the minimum.

Every aggregate about people, on a page, in the API or in an export, comes from here.
What to hide is decided by :func:`scoreline.engine.disclosure.withhold` from the people
the viewer cannot see (those they may see one by one, with the capability behind the
measure, they could count themselves): small groups, enough other groups that the shown
ones and any total do not give them away, and, across the organisation tree, enough
children's groups that a parent's count minus its children's gives nothing away either.
Hidden groups are shown only merged, as one "other" count whose keys are not named.
See docs/decisions/0009-small-groups-that-cannot-be-inferred.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Aggregate, Count, IntegerField, Q, QuerySet, Value

from scoreline.access.capabilities import Capability
from scoreline.access.scope import AnyUser, people_q
from scoreline.engine.disclosure import Withheld, subtree_counts, withhold
from scoreline.org.models import OrgUnit, Person

__all__ = [
    "Breakdown",
    "Group",
    "UnitBreakdowns",
    "summarise_people",
    "unit_breakdowns",
    "unit_head_counts",
]


@dataclass(frozen=True)
class Group:
    key: Any
    count: int
    measures: dict[str, Any]


@dataclass(frozen=True)
class Breakdown:
    """The groups large enough to show, and the rest merged into ``other``.

    ``other`` is the number of people in the hidden groups (None when nothing is hidden);
    a ``withheld`` breakdown shows nothing at all, not even its total.
    """

    groups: list[Group]
    other: int | None
    withheld: bool

    @property
    def total(self) -> int | None:
        if self.withheld:
            return None
        return sum(group.count for group in self.groups) + (self.other or 0)


WITHHELD = Breakdown(groups=[], other=None, withheld=True)


def summarise_people(
    user: AnyUser,
    people: QuerySet[Person],
    by: str,
    *,
    capability: Capability = Capability.VIEW_PEOPLE,
    measures: dict[str, Aggregate] | None = None,
) -> Breakdown:
    """Group ``people`` (unscoped) by ``by``, as one table, with a head count and measures.

    ``capability`` is the right needed to see the individuals behind the numbers, e.g.
    ``VIEW_PAY`` for an average salary or ``VIEW_PROTECTED`` for a split by gender. Measures
    are shown with their group and never for "other".
    """
    measures = measures or {}
    rows = list(_grouped(user, people, [by], capability, measures))
    unseen = np.array([[row["_total"] - row["_seen"] for row in rows]], dtype=np.int64)
    hidden = withhold(unseen.reshape(1, -1), np.array([-1]), settings.MIN_GROUP_SIZE)
    if hidden.rows[0]:
        return WITHHELD
    shown = [
        Group(row[by], row["_total"], {name: row[name] for name in measures})
        for row, secret in zip(rows, hidden.cells[0], strict=True)
        if not secret
    ]
    other = sum(row["_total"] for row, secret in zip(rows, hidden.cells[0], strict=True) if secret)
    return Breakdown(groups=shown, other=other if hidden.cells[0].any() else None, withheld=False)


@dataclass(frozen=True)
class UnitBreakdowns:
    """Every unit's breakdown over its whole subtree, decided together for one viewer."""

    unit_rows: dict[int, int]
    keys: list[Any]
    counts: np.ndarray[Any, np.dtype[np.int64]]
    hidden: Withheld

    def head_count(self, unit_id: int) -> int | None:
        """People in the unit and below, or None when that number is hidden."""
        row = self.unit_rows[unit_id]
        return None if self.hidden.totals[row] else int(self.counts[row].sum())

    def of(self, unit_id: int) -> Breakdown:
        row = self.unit_rows[unit_id]
        if self.hidden.rows[row]:
            return WITHHELD
        counts, secret = self.counts[row], self.hidden.cells[row]
        groups = [
            Group(key, int(count), {})
            for key, count, hide in zip(self.keys, counts, secret, strict=True)
            if count > 0 and not hide
        ]
        other = int(counts[secret].sum())
        return Breakdown(groups=groups, other=other if other else None, withheld=False)


def unit_breakdowns(
    user: AnyUser,
    people: QuerySet[Person],
    by: str,
    *,
    capability: Capability = Capability.VIEW_PEOPLE,
) -> UnitBreakdowns:
    """Break ``people`` (unscoped) down by ``by`` in every unit of the organisation at once.

    A unit's breakdown covers its whole subtree; all of them are decided together because a
    viewer may read any of them and subtract one from another.
    """
    units = list(OrgUnit.objects.order_by("path").values_list("pk", "path"))
    unit_rows = {pk: row for row, (pk, _) in enumerate(units)}
    row_of_path = {path: row for row, (_, path) in enumerate(units)}
    step = OrgUnit.steplen
    parent = np.array([row_of_path.get(path[:-step], -1) for _, path in units], dtype=np.int64)
    rows = list(_grouped(user, people, ["primary_unit_id", by], capability, {}))
    keys = sorted({row[by] for row in rows}, key=lambda key: (key is None, str(key)))
    column = {key: index for index, key in enumerate(keys)}
    own = np.zeros((len(units), len(keys)), dtype=np.int64)
    unseen = np.zeros_like(own)
    unseen_heads = np.zeros(len(units), dtype=np.int64)
    for row in rows:
        unit = unit_rows[row["primary_unit_id"]]
        own[unit, column[row[by]]] = row["_total"]
        unseen[unit, column[row[by]]] = row["_total"] - row["_seen"]
        unseen_heads[unit] += row["_total"] - row["_seen_people"]
    hidden = withhold(unseen, parent, settings.MIN_GROUP_SIZE, unseen_heads=unseen_heads)
    return UnitBreakdowns(unit_rows, keys, subtree_counts(own, parent), hidden)


def unit_head_counts(user: AnyUser, people: QuerySet[Person]) -> UnitBreakdowns:
    """Every unit's head count (people in it and below), for ``head_count``."""
    everyone = people.annotate(everyone=Value(1, output_field=IntegerField()))
    return unit_breakdowns(user, everyone, "everyone")


def _grouped(
    user: AnyUser,
    people: QuerySet[Person],
    by: list[str],
    capability: Capability,
    measures: dict[str, Aggregate],
) -> QuerySet[Person, dict[str, Any]]:
    seen: Q = people_q(user, capability)
    seen_people = (
        seen if capability == Capability.VIEW_PEOPLE else people_q(user, Capability.VIEW_PEOPLE)
    )
    return (
        people.order_by()
        .values(*by)
        .annotate(
            _total=Count("pk"),
            _seen=Count("pk", filter=seen),
            _seen_people=Count("pk", filter=seen_people),
            **measures,
        )
        .order_by(*by)
    )
