"""Lookups the API resources share: a unit, person, objective, KPI, perspective or theme by
its code, among what the caller may see. One the caller cannot see is not found (in a path) or
an unknown value (in a body)."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model

from scoreline.access.capabilities import Capability
from scoreline.access.scope import visible_to
from scoreline.kpis.models import (
    Kpi,
    Rubric,
)
from scoreline.kpis.queries import (
    can_see_catalogue,
)
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid, NotFound
from scoreline.org.models import (
    Country,
    Currency,
    OrgUnit,
    Person,
)
from scoreline.org.queries import people_for, units_for
from scoreline.strategy.models import (
    Objective,
    Perspective,
    Theme,
)
from scoreline.strategy.queries import (
    may_see_objective,
)

__all__ = [
    "country_by_code",
    "currency_by_code",
    "person_ref",
    "perspective_by_code",
    "rated_person",
    "referenced_kpi",
    "referenced_objective",
    "referenced_person",
    "referenced_person_by_id",
    "referenced_unit",
    "referenced_unit_by_id",
    "rubric_by_code",
    "subject_of",
    "subject_out",
    "theme_by_code",
    "visible_kpi",
    "visible_objective",
    "visible_unit",
    "visible_unit_by_id",
    "written_subject",
]


M = TypeVar("M", bound=Model)


def _found(row: M | None, what: str) -> M:
    """The row looked up for a path; NotFound naming ``what`` when there is none."""
    if row is None:
        raise NotFound(f"No {what}.")
    return row


def _known(row: M | None, field: str, reason: str) -> M:
    """The row named in a body; an unknown value of ``field`` when there is none."""
    if row is None:
        raise Invalid.field(field, reason, code="unknown")
    return row


def visible_unit(user: User, code: str) -> OrgUnit:
    """The unit ``code`` if the caller may see it; otherwise NotFound."""
    return _found(units_for(user).filter(code=code).first(), f"unit {code}")


def referenced_unit(user: User, code: str, field: str) -> OrgUnit:
    """A unit named in the input; one the caller cannot see is an unknown value."""
    unit = units_for(user).filter(code=code).first()
    return _known(unit, field, f"no unit with code {code!r}")


def referenced_person(user: User, employee_id: str, field: str) -> Person:
    """A person named in the input by employee id, among the people the caller may see."""
    person = people_for(user).filter(employee_id=employee_id).first()
    return _known(person, field, f"no person with employee id {employee_id!r}")


def rated_person(user: User, employee_id: str) -> Person:
    """A person whose goals, values and scores the caller may see; otherwise NotFound."""
    people = Person.objects.filter(employee_id=employee_id).select_related("primary_unit")
    return _found(
        visible_to(user, people, Capability.VIEW_RATINGS).first(), f"person {employee_id}"
    )


def visible_objective(user: User, code: str) -> Objective:
    objective = Objective.objects.filter(code=code).first()
    if objective is None or not may_see_objective(user, objective, today()):
        raise NotFound(f"No objective {code}.")
    return objective


def referenced_objective(user: User, code: str, field: str, day: dt.date) -> Objective:
    objective = Objective.objects.filter(code=code).first()
    if objective is None or not may_see_objective(user, objective, day):
        raise Invalid.field(field, f"no objective with code {code!r}", code="unknown")
    return objective


def referenced_kpi(user: User, code: str, field: str) -> Kpi:
    kpi = Kpi.objects.filter(code=code).first() if can_see_catalogue(user) else None
    return _known(kpi, field, f"no KPI with code {code!r}")


def perspective_by_code(code: str, field: str = "perspective") -> Perspective:
    perspective = Perspective.objects.filter(code=code).first()
    return _known(perspective, field, f"no perspective with code {code!r}")


def theme_by_code(code: str, field: str = "theme") -> Theme:
    return _known(Theme.objects.filter(code=code).first(), field, f"no theme with code {code!r}")


def visible_kpi(user: User, code: str) -> Kpi:
    kpi = Kpi.objects.filter(code=code).first() if can_see_catalogue(user) else None
    return _found(kpi, f"KPI {code}")


def subject_of(
    user: User, unit: str | None, person: str | None
) -> tuple[OrgUnit | None, Person | None]:
    """The unit or person whose targets, values or scores are asked for (404 if hidden)."""
    if unit is not None and person is not None:
        raise Invalid(
            "give a unit or a person, not both",
            fields={"unit": ["give a unit or a person"], "person": ["give a unit or a person"]},
        )
    return (
        visible_unit(user, unit) if unit is not None else None,
        rated_person(user, person) if person is not None else None,
    )


def written_subject(
    user: User, unit: str | None, person: str | None
) -> tuple[OrgUnit | None, Person | None]:
    """The unit or person a write is about, named in the body."""
    if (unit is None) == (person is None):
        raise Invalid(
            "give either a unit or a person",
            fields={"unit": ["give a unit or a person"], "person": ["give a unit or a person"]},
        )
    return (
        referenced_unit(user, unit, "unit") if unit is not None else None,
        referenced_person(user, person, "person") if person is not None else None,
    )


def subject_out(unit: OrgUnit | None, person: Person | None) -> dict[str, str | None]:
    return {
        "unit": unit.code if unit is not None else None,
        "person": person.employee_id if person is not None else None,
    }


def person_ref(person: Person | None) -> tuple[str | None, str | None]:
    if person is None:
        return None, None
    return person.employee_id, person.full_name


def rubric_by_code(code: str) -> Rubric:
    rubric = Rubric.objects.filter(code=code).first()
    return _known(rubric, "rubric", f"no rubric with code {code!r}")


def visible_unit_by_id(user: User, unit_id: int) -> OrgUnit:
    return _found(units_for(user).filter(pk=unit_id).first(), f"unit {unit_id}")


def referenced_unit_by_id(user: User, unit_id: int, field: str) -> OrgUnit:
    unit = units_for(user).filter(pk=unit_id).first()
    return _known(unit, field, f"no unit with id {unit_id}")


def referenced_person_by_id(user: User, person_id: int, field: str) -> Person:
    person = people_for(user).filter(pk=person_id).first()
    return _known(person, field, f"no person with id {person_id}")


def country_by_code(code: str, field: str = "country") -> Country:
    country = Country.objects.filter(pk=code.upper()).first()
    return _known(country, field, f"unknown country {code!r}")


def currency_by_code(code: str, field: str = "currency") -> Currency:
    currency = Currency.objects.filter(pk=code.upper()).first()
    return _known(currency, field, f"unknown currency {code!r}")
