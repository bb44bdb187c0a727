"""Computed scores of a KPI, each with its explanation, and its results by fiscal period."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.api.fields import Code, Month, MonthsQuery, PersonQuery, UnitQuery
from scoreline.api.lookups import (
    subject_of,
    subject_out,
    visible_kpi,
)
from scoreline.api.support import ERRORS, PageQuery, Text, page_of, request_user
from scoreline.lib.errors import Invalid
from scoreline.scoring.explanations import explain_scores
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.quarters import kpi_periods
from scoreline.scoring.queries import scores_for

__all__ = [
    "router",
]

router = Router()


class KpiScoreOut(Schema):
    kpi: str
    unit: str | None
    person: str | None
    period: dt.date
    value: float | None
    score: float | None
    status: str
    attainment: float | None = Field(description="Percent of target, direction-aware")
    inputs: dict[str, float | None] = Field(description="Targets the value was scored against")
    definitions_as_of: str | None
    explanation: dict[str, Any] | None = Field(
        description="Which segment the value fell in and the arithmetic applied"
    )
    explanation_error: str | None = Field(description="Why no explanation could be built")


class KpiScorePage(Schema):
    items: list[KpiScoreOut]
    count: int


def scores_out(rows: list[Score]) -> list[dict[str, Any]]:
    out = []
    for row, explained in zip(rows, explain_scores(rows), strict=True):
        assert row.kpi is not None  # KPI scores always name their KPI
        stored = row.explanation or {}
        out.append(
            {
                "kpi": row.kpi.code,
                **subject_out(row.unit, row.person),
                "period": row.period,
                "value": row.value,
                "score": row.score,
                "status": row.status,
                "attainment": stored.get("attainment"),
                "inputs": stored.get("inputs") or {},
                "definitions_as_of": stored.get("definitions_as_of"),
                "explanation": explained.engine,
                "explanation_error": explained.error,
            }
        )
    return out


@router.get("/kpis/{code}/scores", response={200: KpiScorePage, **ERRORS}, tags=["scores"])
def list_scores(
    request: HttpRequest,
    code: Code,
    page: Query[PageQuery],
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    months: list[Month] | None = MonthsQuery,
) -> dict[str, Any]:
    """The KPI's scores for a unit or a person by month, each explained step by step."""
    user = request_user(request)
    kpi = visible_kpi(user, code)
    subject_unit, subject_person = subject_of(user, unit, person)
    rows = scores_for(
        user, kind=NodeKind.KPI, kpi=kpi, unit=subject_unit, person=subject_person, months=months
    ).select_related("kpi", "unit", "person")
    items, count = page_of(rows, page)
    return {"items": scores_out(items), "count": count}


class KpiPeriodOut(Schema):
    label: str = Field(description="Fiscal quarter (FY2027-Q1) or year (FY2027)")
    start: dt.date
    end: dt.date = Field(description="First day after the period")
    months: int = Field(description="Months of the period holding a value (to date)")
    value: float | None = Field(description="The months rolled up by the KPI's time aggregation")
    target: float | None = Field(description="The phased targets rolled up the same way")
    score: float | None
    status: str


@router.get("/kpis/{code}/periods", response={200: list[KpiPeriodOut], **ERRORS}, tags=["scores"])
def list_periods(
    request: HttpRequest,
    code: Code,
    unit: Text | None = UnitQuery,
    person: Text | None = PersonQuery,
    per: Literal["quarter", "year"] = Query("quarter"),
) -> list[dict[str, Any]]:
    """The KPI for a unit or a person per fiscal quarter or year: its monthly values and
    targets rolled up by the KPI's own time aggregation, then scored like a month."""
    user = request_user(request)
    kpi = visible_kpi(user, code)
    subject_unit, subject_person = subject_of(user, unit, person)
    if subject_unit is None and subject_person is None:
        raise Invalid.field("unit", "give a unit or a person")
    periods = kpi_periods(kpi, unit=subject_unit, person=subject_person, per=per)
    return [asdict(period) for period in periods]
