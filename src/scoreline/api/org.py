"""The organisation over the API: units, people and reporting lines.

Reads go through the access rules (``visible_units``, ``people_for``); an object the caller
cannot see answers 404, so its existence does not leak. Writes call one action each.
Pay and protected fields are absent from a person unless the caller may see them, and
every response that shows them records a sensitive read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.actions import do_record_shown_fields
from scoreline.access.aggregates import summarise_people
from scoreline.access.capabilities import Capability
from scoreline.access.scope import field_access, require_anywhere, require_on_unit
from scoreline.api.support import ERRORS, Id, Input, PageQuery, Text, page_of, request_user
from scoreline.lib.dates import effective_on, today
from scoreline.lib.errors import Invalid, NotFound
from scoreline.lib.tree import subtree_q
from scoreline.org.actions import (
    LineSpec,
    do_create_person,
    do_create_unit,
    do_set_reporting_lines,
    do_update_person,
    do_update_unit,
)
from scoreline.org.models import (
    Country,
    Currency,
    Gender,
    LineKind,
    OrgUnit,
    Person,
    PersonKind,
    ReportingLine,
    UnitKind,
    UnitVersion,
)
from scoreline.org.queries import (
    fiscal_calendar_of,
    people_for,
    reporting_lines_for,
    search_people,
    units_for,
)

__all__ = ["router"]

router = Router()

Reason = Field("", max_length=1000, description="Why the change is made (kept in the audit trail)")


# Units


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    depth: int
    country: str
    currency: str
    cost_centre: str
    manager_id: int | None
    manager_name: str | None
    valid_from: dt.date
    valid_until: dt.date | None


class PeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date = Field(description="First day after the period")


class FiscalCalendarOut(Schema):
    legal_entity_id: int = Field(description="The unit whose calendar applies")
    year_start_month: int
    period_type: str
    current_year: PeriodOut
    current_period: PeriodOut


class UnitDetailOut(UnitOut):
    fiscal_calendar: FiscalCalendarOut | None = Field(
        description="The calendar of the nearest legal entity at or above the unit"
    )


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


class UnitCreateIn(Input):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    parent_id: Id | None = Field(None, description="The parent unit; none for a top-level unit")
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 country code")
    currency: str = Field(max_length=3, description="ISO 4217 currency code")
    cost_centre: str = Field("", max_length=40)
    manager_id: Id | None = None
    valid_from: dt.date
    reason: str = Reason


class UnitUpdateIn(Input):
    effective: dt.date = Field(description="First day of the new version; after the current one")
    name: str | None = Field(None, min_length=1, max_length=200)
    manager_id: Id | None = Field(None, description="A person's id; null removes the manager")
    parent_id: Id | None = Field(None, description="Move the unit under this unit")
    cost_centre: str | None = Field(None, max_length=40)
    reason: str = Reason


class UnitVersionOut(Schema):
    valid_from: dt.date
    valid_until: dt.date | None
    name: str
    parent_id: int | None
    manager_id: int | None


class UnitVersionPage(Schema):
    items: list[UnitVersionOut]
    count: int


class HeadcountGroup(Schema):
    key: str | None
    count: int | None = Field(description="Null when the group is too small to show")
    suppressed: bool


class HeadcountOut(Schema):
    unit_id: int
    by: str
    min_group_size: int
    groups: list[HeadcountGroup]


HeadcountBy = Literal["grade", "gender", "job_family", "country"]


def _visible_unit(user: User, unit_id: int) -> OrgUnit:
    unit = units_for(user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(f"No unit {unit_id}.")
    return unit


def _referenced_unit(user: User, unit_id: int, field: str) -> OrgUnit:
    unit = units_for(user).filter(pk=unit_id).first()
    if unit is None:
        raise Invalid.field(field, f"no unit with id {unit_id}", code="unknown")
    return unit


def _referenced_person(user: User, person_id: int, field: str) -> Person:
    person = people_for(user).filter(pk=person_id).first()
    if person is None:
        raise Invalid.field(field, f"no person with id {person_id}", code="unknown")
    return person


def _country(code: str, field: str = "country") -> Country:
    country = Country.objects.filter(pk=code.upper()).first()
    if country is None:
        raise Invalid.field(field, f"unknown country {code!r}", code="unknown")
    return country


def _currency(code: str, field: str = "currency") -> Currency:
    currency = Currency.objects.filter(pk=code.upper()).first()
    if currency is None:
        raise Invalid.field(field, f"unknown currency {code!r}", code="unknown")
    return currency


def _parent_ids(units: list[OrgUnit]) -> dict[str, int]:
    """Ids of the parents of ``units`` by path, in one query (a parent's path is a prefix)."""
    paths = {unit.path[: -OrgUnit.steplen] for unit in units if unit.depth > 1}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "pk"))


def _unit_out(unit: OrgUnit, parents: dict[str, int]) -> dict[str, Any]:
    manager = unit.manager
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_id": parents.get(unit.path[: -OrgUnit.steplen]) if unit.depth > 1 else None,
        "depth": unit.depth,
        "country": unit.country_id,
        "currency": unit.currency_id,
        "cost_centre": unit.cost_centre,
        "manager_id": manager.pk if manager else None,
        "manager_name": manager.full_name if manager else None,
        "valid_from": unit.valid_from,
        "valid_until": unit.valid_until,
    }


def _one_unit(user: User, unit_id: int) -> dict[str, Any]:
    unit = _visible_unit(user, unit_id)
    return _unit_out(unit, _parent_ids([unit]))


@router.get("/units", response={200: UnitPage, **ERRORS}, tags=["units"])
def list_units(
    request: HttpRequest,
    page: Query[PageQuery],
    q: Text | None = Query(None, max_length=200, description="Part of a code or name"),
) -> dict[str, Any]:
    """Units the caller may see, in tree order."""
    units = units_for(request_user(request))
    if q:
        units = units.filter(Q(code__icontains=q) | Q(name__icontains=q))
    items, count = page_of(units, page)
    parents = _parent_ids(items)
    return {"items": [_unit_out(unit, parents) for unit in items], "count": count}


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def get_unit(request: HttpRequest, unit_id: Id) -> dict[str, Any]:
    unit = _visible_unit(request_user(request), unit_id)
    calendar = fiscal_calendar_of(unit)
    fiscal = None
    if calendar is not None:
        day = today()
        fiscal = {
            "legal_entity_id": calendar.legal_entity_id,
            "year_start_month": calendar.year_start_month,
            "period_type": calendar.period_type,
            "current_year": calendar.year_of(day),
            "current_period": calendar.period_of(day),
        }
    return _unit_out(unit, _parent_ids([unit])) | {"fiscal_calendar": fiscal}


@router.post("/units", response={201: UnitOut, **ERRORS}, tags=["units"])
def create_unit(request: HttpRequest, payload: UnitCreateIn) -> Status:
    """Create a unit under a parent (needs the right to change the organisation there)."""
    user = request_user(request)
    require_anywhere(user, Capability.MANAGE_ORG)
    parent = _referenced_unit(user, payload.parent_id, "parent_id") if payload.parent_id else None
    manager = (
        _referenced_person(user, payload.manager_id, "manager_id") if payload.manager_id else None
    )
    unit = do_create_unit(
        user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        country=_country(payload.country),
        currency=_currency(payload.currency),
        valid_from=payload.valid_from,
        manager=manager,
        cost_centre=payload.cost_centre,
        reason=payload.reason,
    )
    return Status(201, _one_unit(user, unit.pk))


@router.patch("/units/{unit_id}", response={200: UnitOut, **ERRORS}, tags=["units"])
def update_unit(request: HttpRequest, unit_id: Id, payload: UnitUpdateIn) -> dict[str, Any]:
    """Rename, re-manage or move a unit from an effective date, keeping its history."""
    user = request_user(request)
    unit = _visible_unit(user, unit_id)
    # The right first: a caller who may not change the unit learns nothing from its inputs.
    require_on_unit(user, Capability.MANAGE_ORG, unit)
    sent = payload.model_fields_set
    changes: dict[str, Any] = {}
    if "name" in sent:
        if payload.name is None:
            raise Invalid.field("name", "a unit must have a name")
        changes["name"] = payload.name
    if "cost_centre" in sent:
        changes["cost_centre"] = payload.cost_centre or ""
    if "manager_id" in sent:
        changes["manager"] = (
            _referenced_person(user, payload.manager_id, "manager_id")
            if payload.manager_id
            else None
        )
    if "parent_id" in sent:
        if payload.parent_id is None:
            raise Invalid.field("parent_id", "a unit cannot be moved to the top level")
        changes["parent"] = _referenced_unit(user, payload.parent_id, "parent_id")
    do_update_unit(user, unit, effective=payload.effective, reason=payload.reason, **changes)
    return _one_unit(user, unit.pk)


@router.get("/units/{unit_id}/versions", response={200: UnitVersionPage, **ERRORS}, tags=["units"])
def list_unit_versions(request: HttpRequest, unit_id: Id, page: Query[PageQuery]) -> dict[str, Any]:
    """The unit's history: name, parent and manager per period, oldest first."""
    unit = _visible_unit(request_user(request), unit_id)
    versions = UnitVersion.objects.filter(unit=unit).order_by("valid_from")
    items, count = page_of(versions, page)
    return {
        "items": [
            {
                "valid_from": version.valid_from,
                "valid_until": version.valid_until,
                "name": version.name,
                "parent_id": version.parent_id,
                "manager_id": version.manager_id,
            }
            for version in items
        ],
        "count": count,
    }


@router.get("/units/{unit_id}/headcount", response={200: HeadcountOut, **ERRORS}, tags=["units"])
def unit_headcount(
    request: HttpRequest, unit_id: Id, by: HeadcountBy = Query("grade")
) -> dict[str, Any]:
    """Current head count of the unit and everything below it, grouped.

    Groups smaller than the minimum group size are suppressed unless the caller may see
    every person in them (a split by gender needs the right to see protected attributes).
    """
    user = request_user(request)
    unit = _visible_unit(user, unit_id)
    day = today()
    people = Person.objects.filter(
        subtree_q(unit.path, "primary_unit__path"),
        Q(hire_date__lte=day),
        Q(leave_date__isnull=True) | Q(leave_date__gt=day),
    )
    capability = Capability.VIEW_PROTECTED if by == "gender" else Capability.VIEW_PEOPLE
    groups = summarise_people(user, people, by, capability=capability)
    return {
        "unit_id": unit.pk,
        "by": by,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "groups": [
            {
                "key": str(group.key) if group.key not in (None, "") else None,
                "count": group.count,
                "suppressed": group.suppressed,
            }
            for group in groups
        ],
    }


# People

_PAY_NOTE = "Present only for callers who may see pay."
_PROTECTED_NOTE = "Present only for callers who may see protected attributes."


class PersonOut(Schema):
    id: int
    employee_id: str
    kind: PersonKind
    first_name: str
    last_name: str
    full_name: str
    email: str
    username: str | None
    job_title: str
    job_family: str
    job_level: int
    grade: str
    fte: Decimal
    hire_date: dt.date
    leave_date: dt.date | None
    country: str
    location: str
    primary_unit_id: int
    base_salary: Decimal | None = Field(None, description=_PAY_NOTE)
    salary_currency: str | None = Field(None, description=_PAY_NOTE)
    gender: Gender | None = Field(None, description=_PROTECTED_NOTE)
    date_of_birth: dt.date | None = Field(None, description=_PROTECTED_NOTE)


class PersonPage(Schema):
    items: list[PersonOut]
    count: int


class _PersonFields(Input):
    kind: PersonKind | None = None
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    email: str | None = Field(None, max_length=254)
    job_title: str | None = Field(None, max_length=120)
    job_family: str | None = Field(None, max_length=80)
    job_level: int | None = Field(None, ge=1, le=20)
    grade: str | None = Field(None, max_length=20)
    fte: Decimal | None = Field(None, gt=0, le=1, max_digits=4, decimal_places=3)
    hire_date: dt.date | None = None
    leave_date: dt.date | None = None
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2 country code")
    location: str | None = Field(None, max_length=100)
    primary_unit_id: Id | None = None
    base_salary: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    salary_currency: str | None = Field(None, max_length=3)
    gender: Gender | None = None
    date_of_birth: dt.date | None = None
    reason: str = Reason


class PersonCreateIn(_PersonFields):
    employee_id: str = Field(min_length=1, max_length=40)
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str = Field(max_length=254)
    job_title: str = Field(max_length=120)
    job_family: str = Field(max_length=80)
    job_level: int = Field(ge=1, le=20)
    grade: str = Field(max_length=20)
    hire_date: dt.date
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 country code")
    primary_unit_id: Id
    user: str | None = Field(None, max_length=150, description="Username of the person's login")


class PersonUpdateIn(_PersonFields):
    employee_id: str | None = Field(None, min_length=1, max_length=40)


# Fields a change may leave out but may not set to null.
_REQUIRED_IF_SENT = {
    "kind",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "job_family",
    "job_level",
    "grade",
    "fte",
    "hire_date",
    "country",
    "primary_unit_id",
    "employee_id",
}


def _person_model_fields(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Input fields as model field values: codes and ids become rows, nulls become blanks."""
    fields = dict(data)
    fields.pop("reason", None)
    for name in _REQUIRED_IF_SENT & fields.keys():
        if fields[name] is None:
            raise Invalid.field(name, "cannot be null")
    if "country" in fields:
        fields["country"] = _country(fields["country"])
    if "primary_unit_id" in fields:
        fields["primary_unit"] = _referenced_unit(
            user, fields.pop("primary_unit_id"), "primary_unit_id"
        )
    if "salary_currency" in fields:
        code = fields["salary_currency"]
        fields["salary_currency"] = _currency(code, "salary_currency") if code else None
    if "gender" in fields:
        fields["gender"] = fields["gender"] or ""
    if "location" in fields:
        fields["location"] = fields["location"] or ""
    return fields


def _visible_person(user: User, person_id: int) -> Person:
    person = people_for(user).filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No person {person_id}.")
    return person


def _person_out(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": person.pk,
        "employee_id": person.employee_id,
        "kind": person.kind,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "email": person.email,
        "username": person.user.get_username() if person.user else None,
        "job_title": person.job_title,
        "job_family": person.job_family,
        "job_level": person.job_level,
        "grade": person.grade,
        "fte": person.fte,
        "hire_date": person.hire_date,
        "leave_date": person.leave_date,
        "country": person.country_id,
        "location": person.location,
        "primary_unit_id": person.primary_unit_id,
    }
    # Keys are left out, not nulled, for a caller without the right: absence says "hidden",
    # null says "not recorded".
    if getattr(person, "can_see_pay", False):
        data["base_salary"] = person.base_salary
        data["salary_currency"] = person.salary_currency_id
    if getattr(person, "can_see_protected", False):
        data["gender"] = person.gender or None
        data["date_of_birth"] = person.date_of_birth
    return data


def _people_out(user: User, people: list[Person]) -> list[dict[str, Any]]:
    """People as JSON, recording who was shown whose pay or protected attributes."""
    do_record_shown_fields(user, people, channel="api")
    return [_person_out(person) for person in people]


def _written_person(user: User, person_id: int) -> dict[str, Any]:
    """The person just written, with the field classes the writer may see.

    The writer held the right to change the organisation there, which is stronger than
    seeing it, so the row is read without the people filter; field access still applies.
    """
    person = field_access(user, Person.objects.select_related("user")).get(pk=person_id)
    return _people_out(user, [person])[0]


def _people_query(user: User) -> QuerySet[Person]:
    return people_for(user).select_related("user")


@router.get("/people", response={200: PersonPage, **ERRORS}, tags=["people"], exclude_unset=True)
def list_people(
    request: HttpRequest,
    page: Query[PageQuery],
    unit: Id | None = Query(None, description="Only people in this unit and the units below it"),
    q: Text | None = Query(
        None, max_length=200, description="Part of a name, email or employee id"
    ),
) -> dict[str, Any]:
    """People the caller may see."""
    user = request_user(request)
    people = _people_query(user)
    if unit is not None:
        root = _referenced_unit(user, unit, "unit")
        people = people.filter(subtree_q(root.path, "primary_unit__path"))
    if q:
        people = search_people(people, q)
    items, count = page_of(people, page)
    return {"items": _people_out(user, items), "count": count}


@router.get(
    "/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["people"], exclude_unset=True
)
def get_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    user = request_user(request)
    person = _people_query(user).filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No person {person_id}.")
    return _people_out(user, [person])[0]


@router.post("/people", response={201: PersonOut, **ERRORS}, tags=["people"], exclude_unset=True)
def create_person(request: HttpRequest, payload: PersonCreateIn) -> Status:
    """Create a person in a unit (needs the right to change the organisation there)."""
    user = request_user(request)
    require_anywhere(user, Capability.MANAGE_ORG)
    data = payload.model_dump(exclude_unset=True)
    username = data.pop("user", None)
    fields = _person_model_fields(user, data)
    if username is not None:
        login = get_user_model().objects.filter(username=username).first()
        if login is None:
            raise Invalid.field("user", f"no login named {username!r}", code="unknown")
        fields["user"] = login
    person = do_create_person(user, reason=payload.reason, **fields)
    return Status(201, _written_person(user, person.pk))


@router.patch(
    "/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["people"], exclude_unset=True
)
def update_person(request: HttpRequest, person_id: Id, payload: PersonUpdateIn) -> dict[str, Any]:
    """Change a person's record; only the fields sent change."""
    user = request_user(request)
    person = _visible_person(user, person_id)
    require_on_unit(user, Capability.MANAGE_ORG, person.primary_unit)
    fields = _person_model_fields(user, payload.model_dump(exclude_unset=True))
    do_update_person(user, person, reason=payload.reason, **fields)
    return _written_person(user, person.pk)


# Reporting lines


class LineOut(Schema):
    id: int
    person_id: int
    person_name: str
    manager_id: int
    manager_name: str
    kind: LineKind
    weight: Decimal
    unit_id: int | None
    valid_from: dt.date
    valid_until: dt.date | None


class LinePage(Schema):
    items: list[LineOut]
    count: int


class PersonLinesOut(Schema):
    person_id: int
    current: list[LineOut] = Field(description="Lines in force today")
    history: list[LineOut] = Field(description="Every line, current ones included, newest first")


class LineIn(Input):
    manager_id: Id
    kind: LineKind
    weight: Decimal = Field(max_digits=5, decimal_places=2, description="Share in percent")
    unit_id: Id | None = Field(None, description="The project or unit the line belongs to")


class LinesIn(Input):
    effective: dt.date = Field(description="First day the new lines are in force")
    lines: list[LineIn] = Field(max_length=100)
    reason: str = Reason


def _line_out(line: ReportingLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "person_id": line.person_id,
        "person_name": line.person.full_name,
        "manager_id": line.manager_id,
        "manager_name": line.manager.full_name,
        "kind": line.kind,
        "weight": line.weight,
        "unit_id": line.unit_id,
        "valid_from": line.valid_from,
        "valid_until": line.valid_until,
    }


def _person_lines(user: User, person: Person) -> dict[str, Any]:
    lines = list(reporting_lines_for(user).filter(person=person).order_by("-valid_from", "kind"))
    in_force = set(
        reporting_lines_for(user)
        .filter(effective_on(today()), person=person)
        .values_list("pk", flat=True)
    )
    return {
        "person_id": person.pk,
        "current": [_line_out(line) for line in lines if line.pk in in_force],
        "history": [_line_out(line) for line in lines],
    }


@router.get(
    "/people/{person_id}/reporting-lines",
    response={200: PersonLinesOut, **ERRORS},
    tags=["reporting lines"],
)
def get_person_lines(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    user = request_user(request)
    return _person_lines(user, _visible_person(user, person_id))


@router.put(
    "/people/{person_id}/reporting-lines",
    response={200: PersonLinesOut, **ERRORS},
    tags=["reporting lines"],
)
def set_person_lines(request: HttpRequest, person_id: Id, payload: LinesIn) -> dict[str, Any]:
    """Replace the person's lines from the effective date on; weights must sum to 100."""
    user = request_user(request)
    person = _visible_person(user, person_id)
    require_on_unit(user, Capability.MANAGE_ORG, person.primary_unit)
    specs = [
        LineSpec(
            manager=_referenced_person(user, line.manager_id, f"lines[{index}].manager_id"),
            kind=line.kind,
            weight=line.weight,
            unit=_referenced_unit(user, line.unit_id, f"lines[{index}].unit_id")
            if line.unit_id
            else None,
        )
        for index, line in enumerate(payload.lines)
    ]
    do_set_reporting_lines(user, person, specs, effective=payload.effective, reason=payload.reason)
    return _person_lines(user, person)


@router.get("/reporting-lines", response={200: LinePage, **ERRORS}, tags=["reporting lines"])
def list_lines(
    request: HttpRequest,
    page: Query[PageQuery],
    manager: Id | None = Query(None, description="Only lines to this manager (a person id)"),
) -> dict[str, Any]:
    """Reporting lines in force today about people the caller may see."""
    lines = reporting_lines_for(request_user(request), today()).order_by("person_id", "kind", "pk")
    if manager is not None:
        lines = lines.filter(manager_id=manager)
    items, count = page_of(lines, page)
    return {"items": [_line_out(line) for line in items], "count": count}
