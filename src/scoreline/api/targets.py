"""Targets of a KPI at a unit or for a person, and how reachable they are."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import AsOf, Code, Day, PersonQuery, Reason, UnitQuery
from scoreline.api.lookups import (
    subject_of,
    subject_out,
    visible_kpi,
    written_subject,
)
from scoreline.api.pages import plain
from scoreline.api.specs import request_schema, response_schema, response_values
from scoreline.api.support import ERRORS, PageQuery, Text, page_of, request_user
from scoreline.kpi_quality.queries import target_specificity_for
from scoreline.kpis.fields import TARGET, TARGET_FIELDS, TARGET_START
from scoreline.kpis.models import Target
from scoreline.kpis.queries import (
    targets_for,
)
from scoreline.scoring.actions.definitions import do_set_target

__all__ = [
    "router",
]

router = Router()


class TargetOut(
    response_schema(  # type: ignore[misc]
        TARGET_START,
        *TARGET,
        leading={"kpi": str, "unit": str | None, "person": str | None},
        described=("period_end",),
    )
):
    valid_from: dt.date
    valid_until: dt.date | None
    reason: str
    source: str


class TargetPage(Schema):
    items: list[TargetOut]
    count: int


class TargetIn(
    request_schema(  # type: ignore[misc]
        TARGET_START,
        *TARGET,
        leading={
            "unit": (
                str | None,
                Field(None, max_length=40, description="Unit code; or give a person"),
            ),
            "person": (str | None, Field(None, max_length=40, description="Employee id")),
        },
    )
):
    effective_from: Day | None = Field(
        None, description="First day of this version (default: the start of the span)"
    )
    reason: str = Reason


def target_out(row: Target) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        **subject_out(row.unit, row.person),
        **response_values(row, (TARGET_START, *TARGET)),
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "reason": row.reason,
        "source": row.source,
    }


@router.get("/kpis/{code}/targets", response={200: TargetPage, **ERRORS}, tags=["targets"])
def list_targets(
    request: HttpRequest,
    code: Code,
    page: Query[PageQuery],
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    as_of: Day | None = AsOf,
) -> dict[str, Any]:
    """The KPI's targets in force, for the units and people the caller may see."""
    user = request_user(request)
    kpi = visible_kpi(user, code)
    subject_unit, subject_person = subject_of(user, unit, person)
    rows = targets_for(user, kpi, unit=subject_unit, person=subject_person, day=as_of)
    items, count = page_of(rows, page)
    return {"items": [target_out(row) for row in items], "count": count}


class SpecificityOut(Schema):
    unit: str
    period_start: dt.date
    period_end: dt.date
    target: float | None = Field(description="The phased target of the span's last month")
    last_value: float | None
    last_month: dt.date | None
    horizon: int | None = Field(description="Months from the last value to the target")
    probability: float | None = Field(description="Share of the KPI's own history that reaches it")
    classification: str = Field(description="too_easy, specific, unrealistic or unknown")
    feasible_low: float | None
    feasible_high: float | None


@router.get(
    "/kpis/{code}/target-specificity",
    response={200: list[SpecificityOut], **ERRORS},
    tags=["targets"],
)
def target_specificity(
    request: HttpRequest, code: Code, as_of: Day | None = AsOf
) -> list[dict[str, Any]]:
    """How likely each current unit target is to be reached, judged from the KPI's own history
    (empirical period-over-period changes); targets above 90% are too easy, below 10%
    unrealistic."""
    user = request_user(request)
    kpi = visible_kpi(user, code)
    return [row.as_dict() for row in target_specificity_for(user, kpi, as_of)]


@router.post(
    "/kpis/{code}/targets", response={200: TargetOut, 201: TargetOut, **ERRORS}, tags=["targets"]
)
def set_target(request: HttpRequest, code: Code, payload: TargetIn) -> Status:
    """Set the KPI's threshold, target and stretch at a unit (or for a person) over a span.

    Thresholds must be in the order the KPI's direction asks for. Revising a target already
    set whose span runs in an open period answers 400 with ``change_request_required``.
    Answers 201 with the new version, or 200 with the one in force when nothing changed.
    """
    user = request_user(request)
    kpi = visible_kpi(user, code)
    require_anywhere(user, Capability.EDIT_KPI)
    unit, person = written_subject(user, payload.unit, payload.person)
    written = do_set_target(
        user,
        kpi,
        unit=unit,
        person=person,
        period_start=payload.period_start,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
        **{name: plain(getattr(payload, name)) for name in TARGET_FIELDS},
    )
    if written is not None:
        return Status(201, target_out(written))
    day = payload.effective_from or payload.period_start
    current = targets_for(user, kpi, unit=unit, person=person, day=day).filter(
        period_start=payload.period_start
    )
    return Status(200, target_out(current.get()))
