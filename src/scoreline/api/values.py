"""Values of a KPI and rubric assessments of qualitative KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import Code, Month, MonthsQuery, PersonQuery, Reason, UnitQuery
from scoreline.api.lookups import (
    referenced_person,
    subject_of,
    subject_out,
    visible_kpi,
    written_subject,
)
from scoreline.api.support import ERRORS, Input, PageQuery, Text, page_of, request_user
from scoreline.kpis.models import (
    Assessment,
    KpiValue,
)
from scoreline.kpis.queries import (
    values_for,
)
from scoreline.scoring.actions.values import do_record_assessment, do_record_value

__all__ = [
    "router",
]

router = Router()


class ValueOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period: dt.date = Field(description="First day of the month")
    value: float
    source: str
    note: str
    entered_by: str | None
    entered_at: dt.datetime


class ValuePage(Schema):
    items: list[ValueOut]
    count: int


class ValueIn(Input):
    unit: str | None = Field(None, max_length=40, description="Unit code; or give a person")
    person: str | None = Field(None, max_length=40, description="Employee id")
    period: Month = Field(description="The month, YYYY-MM")
    value: float = Field(description="A finite number")
    unit_of_measure: str | None = Field(
        None, max_length=40, description="When given, must be the KPI's unit"
    )
    note: str = Field("", description="Required when the value would be red")
    reason: str = Reason


class AssessmentIn(Input):
    unit: str | None = Field(None, max_length=40, description="Unit code; or give a person")
    person: str | None = Field(None, max_length=40, description="Employee id")
    period: Month = Field(description="The month, YYYY-MM")
    level: int = Field(ge=0, le=32767, description="The rubric level")
    evidence: str = Field(min_length=1, description="What was observed")
    rater: str | None = Field(
        None, max_length=40, description="Employee id of the rater (default: the caller)"
    )
    reason: str = Reason


class AssessmentOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period: dt.date
    rater: str = Field(description="Employee id")
    level: int
    evidence: str
    recorded_at: dt.datetime
    value: float | None = Field(description="The KPI's value for the month: the mean level")


def value_out(row: KpiValue) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        **subject_out(row.unit, row.person),
        "period": row.period,
        "value": row.value,
        "source": row.source,
        "note": row.note,
        "entered_by": row.entered_by.get_username() if row.entered_by is not None else None,
        "entered_at": row.entered_at,
    }


@router.get("/kpis/{code}/values", response={200: ValuePage, **ERRORS}, tags=["values"])
def list_values(
    request: HttpRequest,
    code: Code,
    page: Query[PageQuery],
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    months: list[Month] | None = MonthsQuery,
) -> dict[str, Any]:
    """The KPI's values for a unit or a person (or every one the caller may see), by month."""
    user = request_user(request)
    kpi = visible_kpi(user, code)
    subject_unit, subject_person = subject_of(user, unit, person)
    rows = values_for(user, kpi, unit=subject_unit, person=subject_person, months=months)
    items, count = page_of(rows, page)
    return {"items": [value_out(row) for row in items], "count": count}


@router.post("/kpis/{code}/values", response={201: ValueOut, **ERRORS}, tags=["values"])
def record_value(request: HttpRequest, code: Code, payload: ValueIn) -> Status:
    """Enter or correct the KPI's value for a unit or a person in a month.

    The value must be finite and, when a unit of measure is given, in the KPI's unit. A
    value whose status would be red needs a note (400, ``note_required``).
    """
    user = request_user(request)
    kpi = visible_kpi(user, code)
    require_anywhere(user, Capability.ENTER_VALUES)
    unit, person = written_subject(user, payload.unit, payload.person)
    row = do_record_value(
        user,
        kpi,
        period=payload.period,
        value=payload.value,
        unit=unit,
        person=person,
        unit_of_measure=payload.unit_of_measure,
        note=payload.note,
        reason=payload.reason,
    )
    return Status(201, value_out(row))


def _assessment_out(row: Assessment, value: KpiValue | None) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        **subject_out(row.unit, row.person),
        "period": row.period,
        "rater": row.rater.employee_id,
        "level": row.level,
        "evidence": row.evidence,
        "recorded_at": row.recorded_at,
        "value": value.value if value is not None else None,
    }


@router.post("/kpis/{code}/assessments", response={201: AssessmentOut, **ERRORS}, tags=["values"])
def record_assessment(request: HttpRequest, code: Code, payload: AssessmentIn) -> Status:
    """Record a rater's rubric level, with evidence, for a qualitative KPI in a month.

    The rater is the caller's own person unless someone who may edit KPIs there names
    another; the month's value becomes the mean level of its assessments.
    """
    user = request_user(request)
    kpi = visible_kpi(user, code)
    require_anywhere(user, Capability.ENTER_VALUES)
    unit, person = written_subject(user, payload.unit, payload.person)
    rater = referenced_person(user, payload.rater, "rater") if payload.rater is not None else None
    row = do_record_assessment(
        user,
        kpi,
        period=payload.period,
        level=payload.level,
        evidence=payload.evidence,
        unit=unit,
        person=person,
        rater=rater,
        reason=payload.reason,
    )
    value = values_for(user, kpi, unit=unit, person=person, months=[payload.period]).first()
    return Status(201, _assessment_out(row, value))
