"""Organisation units: the tree, their versions and their head counts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.aggregates import unit_breakdowns
from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere, require_on_unit
from scoreline.api.fields import Day, Reason
from scoreline.api.lookups import (
    country_by_code,
    currency_by_code,
    referenced_person_by_id,
    referenced_unit_by_id,
    visible_unit_by_id,
)
from scoreline.api.support import ERRORS, Choice, Id, Input, PageQuery, Text, page_of, request_user
from scoreline.lib.dates import today
from scoreline.lib.errors import Invalid
from scoreline.org.actions import (
    do_create_unit,
    do_update_unit,
)
from scoreline.org.models import (
    OrgUnit,
    UnitKind,
    UnitVersion,
)
from scoreline.org.queries import (
    active_people,
    fiscal_calendar_of,
    units_for,
)

__all__ = [
    "router",
]

router = Router()


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
    kind: Choice[UnitKind]
    parent_id: Id | None = Field(None, description="The parent unit; none for a top-level unit")
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2 country code")
    currency: str = Field(max_length=3, description="ISO 4217 currency code")
    cost_centre: str = Field("", max_length=40)
    manager_id: Id | None = None
    valid_from: Day
    reason: str = Reason


class UnitUpdateIn(Input):
    effective: Day = Field(description="First day of the new version; after the current one")
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
    key: str | None = Field(description="Null for people with no value recorded")
    count: int


class HeadcountOut(Schema):
    unit_id: int
    by: str
    min_group_size: int
    withheld: bool = Field(
        description="True when the unit holds too few people the caller may not see to show"
        " any split: then there are no groups, no other and no total"
    )
    total: int | None = Field(description="People in the unit and below; null when withheld")
    groups: list[HeadcountGroup] = Field(description="The groups large enough to show")
    other: int | None = Field(
        description="People in the groups too small to show (and as many others as it takes"
        " that no group can be worked out), merged and not named; null when none are hidden"
    )


HeadcountBy = Literal["grade", "gender", "job_family", "country"]


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
    unit = visible_unit_by_id(user, unit_id)
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
    unit = visible_unit_by_id(request_user(request), unit_id)
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
    parent = (
        referenced_unit_by_id(user, payload.parent_id, "parent_id") if payload.parent_id else None
    )
    manager = (
        referenced_person_by_id(user, payload.manager_id, "manager_id")
        if payload.manager_id
        else None
    )
    unit = do_create_unit(
        user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        country=country_by_code(payload.country),
        currency=currency_by_code(payload.currency),
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
    unit = visible_unit_by_id(user, unit_id)
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
            referenced_person_by_id(user, payload.manager_id, "manager_id")
            if payload.manager_id
            else None
        )
    if "parent_id" in sent:
        if payload.parent_id is None:
            raise Invalid.field("parent_id", "a unit cannot be moved to the top level")
        changes["parent"] = referenced_unit_by_id(user, payload.parent_id, "parent_id")
    do_update_unit(user, unit, effective=payload.effective, reason=payload.reason, **changes)
    return _one_unit(user, unit.pk)


@router.get("/units/{unit_id}/versions", response={200: UnitVersionPage, **ERRORS}, tags=["units"])
def list_unit_versions(request: HttpRequest, unit_id: Id, page: Query[PageQuery]) -> dict[str, Any]:
    """The unit's history: name, parent and manager per period, oldest first."""
    unit = visible_unit_by_id(request_user(request), unit_id)
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

    Groups of fewer than the minimum group size of people the caller may not see are merged
    into "other" with enough further groups that none can be worked out, from this or any
    other count (a split by gender needs the right to see protected attributes to see them).
    """
    user = request_user(request)
    unit = visible_unit_by_id(user, unit_id)
    capability = Capability.VIEW_PROTECTED if by == "gender" else Capability.VIEW_PEOPLE
    breakdown = unit_breakdowns(user, active_people(), by, capability=capability).of(unit.pk)
    return {
        "unit_id": unit.pk,
        "by": by,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "withheld": breakdown.withheld,
        "total": breakdown.total,
        "groups": [
            {"key": str(group.key) if group.key not in (None, "") else None, "count": group.count}
            for group in breakdown.groups
        ],
        "other": breakdown.other,
    }
