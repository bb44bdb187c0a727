"""Reporting lines: a person's matrix of managers, and the lines in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_on_unit
from scoreline.api.fields import Day, Reason
from scoreline.api.lookups import referenced_person_by_id, referenced_unit_by_id
from scoreline.api.people import visible_person
from scoreline.api.support import (
    ERRORS,
    Choice,
    DecimalNumber,
    Id,
    Input,
    PageQuery,
    page_of,
    request_user,
)
from scoreline.lib.dates import effective_on, today
from scoreline.org.actions import (
    LineSpec,
    do_set_reporting_lines,
)
from scoreline.org.models import (
    LineKind,
    Person,
    ReportingLine,
)
from scoreline.org.queries import (
    reporting_lines_for,
)

__all__ = [
    "router",
]

router = Router()


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
    kind: Choice[LineKind]
    weight: DecimalNumber = Field(max_digits=5, decimal_places=2, description="Share in percent")
    unit_id: Id | None = Field(None, description="The project or unit the line belongs to")


class LinesIn(Input):
    effective: Day = Field(description="First day the new lines are in force")
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
    return _person_lines(user, visible_person(user, person_id))


@router.put(
    "/people/{person_id}/reporting-lines",
    response={200: PersonLinesOut, **ERRORS},
    tags=["reporting lines"],
)
def set_person_lines(request: HttpRequest, person_id: Id, payload: LinesIn) -> dict[str, Any]:
    """Replace the person's lines from the effective date on; weights must sum to 100."""
    user = request_user(request)
    person = visible_person(user, person_id)
    # The right first: a caller who may not change the person learns nothing from its inputs.
    require_on_unit(user, Capability.MANAGE_ORG, person.primary_unit)
    specs = [
        LineSpec(
            manager=referenced_person_by_id(user, line.manager_id, f"lines[{index}].manager_id"),
            kind=line.kind,
            weight=line.weight,
            unit=referenced_unit_by_id(user, line.unit_id, f"lines[{index}].unit_id")
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
