"""Reads of the organisation, always through the access rules."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    field_access,
    visible_in_subtree,
    visible_to,
    visible_units,
)
from scoreline.lib.dates import effective_on, today
from scoreline.org.models import OrgUnit, Person, ReportingLine

__all__ = ["people_for", "people_in_subtree", "reporting_lines_for", "units_for"]


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
