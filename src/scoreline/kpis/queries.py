"""Reads of the KPI architecture, always through the access rules.

The KPI catalogue (definitions without values) is seen by every member of the organisation
and by anyone holding the view-organisation right somewhere. Targets, values and scores at
a unit are seen by whoever holds the view-organisation right on the unit, and by every member
(a user linked to a person), who sees the whole structure anyway. Those of a person are seen
by whoever may see the person's ratings: the person, their line managers, HR and executives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db.models import Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    capability_paths,
    holds_anywhere,
    is_active,
    is_member,
    people_q,
    sees_every_unit,
)
from scoreline.kpis.models import Kpi, KpiValue, KpiVersion, Target
from scoreline.lib.dates import effective_on, today
from scoreline.lib.tree import subtrees_q
from scoreline.lib.versioned import VersionChange, version_history, version_on
from scoreline.org.models import OrgUnit, Person

__all__ = [
    "can_see_catalogue",
    "kpi_history",
    "kpi_version_on",
    "kpis_for",
    "subject_filter",
    "subjects_q",
    "targets_for",
    "values_for",
]


def can_see_catalogue(user: AnyUser) -> bool:
    """Whether ``user`` may read KPI definitions (not their values)."""
    return holds_anywhere(user, Capability.VIEW_ORG) or is_member(user)


def subjects_q(user: AnyUser) -> Q:
    """Rows (with ``unit`` and ``person`` columns) about a unit or person ``user`` may see."""
    if not is_active(user):
        return Q(pk__in=[])
    if sees_every_unit(user):
        units = Q(unit__isnull=False)
    else:
        paths = capability_paths(user, Capability.VIEW_ORG)
        units = Q(unit__isnull=False) & subtrees_q(paths, "unit__path")
    people = Q(person__isnull=False) & people_q(user, Capability.VIEW_RATINGS, "person")
    return units | people


def subject_filter(unit: OrgUnit | None, person: Person | None) -> Q:
    query = Q()
    if unit is not None:
        query &= Q(unit=unit)
    if person is not None:
        query &= Q(person=person)
    return query


def kpis_for(user: AnyUser, day: dt.date | None = None) -> QuerySet[KpiVersion]:
    """The catalogue: each KPI's definition in force on ``day`` (default today), by code."""
    if not can_see_catalogue(user):
        return KpiVersion.objects.none()
    return (
        KpiVersion.objects.filter(effective_on(day or today()))
        .select_related("kpi", "owner", "steward", "rubric")
        .order_by("kpi__code")
    )


def kpi_version_on(kpi: Kpi, day: dt.date | None = None) -> KpiVersion | None:
    """The definition of ``kpi`` in force on ``day`` (default today), if any."""
    return version_on(KpiVersion, day or today(), kpi=kpi)


def kpi_history(kpi: Kpi) -> list[VersionChange]:
    """Every version of a KPI definition, oldest first, each with its changes."""
    versions = KpiVersion.objects.filter(kpi=kpi).select_related("author").order_by("valid_from")
    return version_history(list(versions))


def targets_for(
    user: AnyUser,
    kpi: Kpi | None = None,
    *,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    day: dt.date | None = None,
) -> QuerySet[Target]:
    """Target versions in force on ``day`` (default today) that ``user`` may see."""
    rows = Target.objects.filter(effective_on(day or today())).filter(subjects_q(user))
    if kpi is not None:
        rows = rows.filter(kpi=kpi)
    return (
        rows.filter(subject_filter(unit, person))
        .select_related("kpi", "unit", "person")
        .order_by("kpi__code", "unit_id", "person_id", "period_start")
    )


def values_for(
    user: AnyUser,
    kpi: Kpi | None = None,
    *,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    months: Collection[dt.date] | None = None,
) -> QuerySet[KpiValue]:
    """KPI values ``user`` may see, by KPI and month; ``months`` are first days of months."""
    rows = KpiValue.objects.filter(subjects_q(user))
    if kpi is not None:
        rows = rows.filter(kpi=kpi)
    if months is not None:
        rows = rows.filter(period__in=list(months))
    return (
        rows.filter(subject_filter(unit, person))
        .select_related("kpi", "unit", "person", "entered_by")
        .order_by("kpi__code", "period", "unit_id", "person_id")
    )
