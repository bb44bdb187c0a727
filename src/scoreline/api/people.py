"""People: the directory and each person's record, with field classes shown by right."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.actions import do_record_shown_fields
from scoreline.access.capabilities import Capability
from scoreline.access.scope import field_access, require_anywhere, require_on_unit
from scoreline.api.fields import Day, Reason
from scoreline.api.lookups import country_by_code, currency_by_code, referenced_unit_by_id
from scoreline.api.support import (
    ERRORS,
    Choice,
    DecimalNumber,
    Id,
    Input,
    PageQuery,
    Text,
    page_of,
    request_user,
)
from scoreline.lib.errors import Invalid, NotFound
from scoreline.lib.tree import subtree_q
from scoreline.org.actions import (
    do_create_person,
    do_update_person,
)
from scoreline.org.models import (
    Gender,
    Person,
    PersonKind,
)
from scoreline.org.queries import (
    people_for,
    search_people,
)

__all__ = [
    "router",
]

router = Router()


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
    kind: Choice[PersonKind] | None = None
    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    email: str | None = Field(None, max_length=254)
    job_title: str | None = Field(None, max_length=120)
    job_family: str | None = Field(None, max_length=80)
    job_level: int | None = Field(None, ge=1, le=20)
    grade: str | None = Field(None, max_length=20)
    fte: DecimalNumber | None = Field(None, gt=0, le=1, max_digits=4, decimal_places=3)
    hire_date: Day | None = None
    leave_date: Day | None = None
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2 country code")
    location: str | None = Field(None, max_length=100)
    primary_unit_id: Id | None = None
    base_salary: DecimalNumber | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    salary_currency: str | None = Field(None, max_length=3)
    gender: Choice[Gender] | None = None
    date_of_birth: Day | None = None
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
    hire_date: Day
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
        fields["country"] = country_by_code(fields["country"])
    if "primary_unit_id" in fields:
        fields["primary_unit"] = referenced_unit_by_id(
            user, fields.pop("primary_unit_id"), "primary_unit_id"
        )
    if "salary_currency" in fields:
        code = fields["salary_currency"]
        fields["salary_currency"] = currency_by_code(code, "salary_currency") if code else None
    if "gender" in fields:
        fields["gender"] = fields["gender"] or ""
    if "location" in fields:
        fields["location"] = fields["location"] or ""
    return fields


def visible_person(user: User, person_id: int) -> Person:
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
        root = referenced_unit_by_id(user, unit, "unit")
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
    person = visible_person(user, person_id)
    # The right first: a caller who may not change the person learns nothing from its inputs.
    require_on_unit(user, Capability.MANAGE_ORG, person.primary_unit)
    fields = _person_model_fields(user, payload.model_dump(exclude_unset=True))
    do_update_person(user, person, reason=payload.reason, **fields)
    return _written_person(user, person.pk)
