"""Reads of the organisation, always through the access rules."""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    field_access,
    visible_in_subtree,
    visible_to,
    visible_units,
)
from scoreline.lib.dates import effective_on, today
from scoreline.lib.tree import subtrees_q
from scoreline.org.models import FiscalCalendar, OrgUnit, Person, ReportingLine

__all__ = [
    "active_people",
    "current_lines_for",
    "fiscal_calendar_of",
    "managed_units_of",
    "own_unit",
    "people_for",
    "people_in_subtree",
    "reporting_lines_for",
    "search_people",
    "team_of",
    "units_for",
]


def units_for(user: AnyUser) -> QuerySet[OrgUnit]:
    return visible_units(user).select_related("manager", "country", "currency")


def people_for(user: AnyUser) -> QuerySet[Person]:
    """People ``user`` may see, annotated with which sensitive field classes they may see."""
    people = visible_to(user, Person.objects.all(), Capability.VIEW_PEOPLE)
    return field_access(user, people).select_related("primary_unit", "country", "salary_currency")


def people_in_subtree(user: AnyUser, unit: OrgUnit) -> QuerySet[Person]:
    people = visible_in_subtree(user, Person.objects.all(), unit, Capability.VIEW_PEOPLE)
    return field_access(user, people).select_related("primary_unit", "country", "salary_currency")


def reporting_lines_for(user: AnyUser, day: dt.date | None = None) -> QuerySet[ReportingLine]:
    lines = visible_to(user, ReportingLine.objects.all(), Capability.VIEW_PEOPLE)
    if day is not None:
        lines = lines.filter(effective_on(day))
    return lines.select_related("person", "manager", "unit")


def current_lines_for(user: AnyUser, person: Person) -> QuerySet[ReportingLine]:
    return reporting_lines_for(user, today()).filter(person=person)


def active_people() -> QuerySet[Person]:
    """Everyone employed today, unscoped: only for aggregates that suppress small groups."""
    day = today()
    return Person.objects.filter(hire_date__lte=day).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gt=day)
    )


def search_people(people: QuerySet[Person], text: str) -> QuerySet[Person]:
    """People matching every word of ``text`` in a name or email, or exactly an employee id."""
    # No name holds a NUL character, and PostgreSQL refuses one in a query.
    for term in text.replace("\x00", " ").split():
        people = people.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__icontains=term)
            | Q(employee_id__iexact=term)
        )
    return people


def own_unit(user: AnyUser) -> OrgUnit | None:
    """The unit a user's pages open on, among the units they may see: the highest unit they
    manage, else their primary unit, else the top unit they may see (the group for those who
    see everything and have no unit of their own)."""
    units = units_for(user).order_by("depth", "path")
    if user.is_authenticated:
        managed = units.filter(effective_on(today()), manager__user_id=user.pk).first()
        if managed is not None:
            return managed
        primary = units.filter(people__user_id=user.pk).first()
        if primary is not None:
            return primary
    return units.first()


def managed_units_of(me: Person) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(effective_on(today()), manager=me).order_by("path")


def team_of(user: AnyUser, me: Person) -> QuerySet[Person]:
    """People seen through the units ``me`` manages and the lines reporting to ``me``.

    Direct (solid) reports come first, then other line reports, then the rest of the subtree.
    """
    day = today()
    managed = managed_units_of(me)
    my_lines = ReportingLine.objects.filter(effective_on(day), manager=me)
    mine = my_lines.filter(person=OuterRef("pk")).order_by("-weight")
    team = (
        people_for(user)
        .filter(
            subtrees_q(managed.values_list("path", flat=True), "primary_unit__path")
            | Q(pk__in=my_lines.values("person_id"))
        )
        .exclude(pk=me.pk)
        .annotate(
            line_kind=Subquery(mine.values("kind")[:1]),
            line_weight=Subquery(mine.values("weight")[:1]),
            closeness=Case(
                When(Exists(mine.filter(kind="solid")), then=Value(0)),
                When(Exists(mine), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("closeness", "last_name", "first_name", "pk")
    )
    return team


def fiscal_calendar_of(unit: OrgUnit) -> FiscalCalendar | None:
    """The calendar of the nearest unit at or above ``unit`` that has one."""
    steplen = OrgUnit.steplen
    paths = [unit.path[: steplen * level] for level in range(1, unit.depth + 1)]
    return (
        FiscalCalendar.objects.filter(legal_entity__path__in=paths)
        .order_by("-legal_entity__depth")
        .first()
    )
