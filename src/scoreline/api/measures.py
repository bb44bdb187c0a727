"""Measures: the KPIs measuring an objective, with their weights."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.access.capabilities import Capability
from scoreline.access.scope import require_anywhere
from scoreline.api.fields import Code, Day, Reason
from scoreline.api.lookups import referenced_kpi, visible_objective
from scoreline.api.support import (
    ERRORS,
    Input,
    Text,
    request_user,
)
from scoreline.kpis.measures import (
    MeasureRow,
    measured_objective,
)
from scoreline.scoring.actions.definitions import do_remove_measure, do_set_measure
from scoreline.strategy.models import (
    Objective,
)

__all__ = [
    "router",
]

router = Router()


class MeasureOut(Schema):
    kpi: str
    name: str
    unit_of_measure: str
    direction: str
    weight: float
    valid_from: dt.date


class MeasureIn(Input):
    kpi: str = Field(max_length=60, description="KPI code")
    weight: float = Field(description="Relative weight of the KPI in the objective's score")
    effective_from: Day
    reason: str = Reason


class MeasurePage(Schema):
    items: list[MeasureOut]
    count: int


def measure_out(row: MeasureRow) -> dict[str, Any]:
    return {
        "kpi": row.kpi.code,
        "name": row.definition.name,
        "unit_of_measure": row.definition.unit,
        "direction": row.definition.direction,
        "weight": row.weight,
        "valid_from": row.measure.valid_from,
    }


def _measures_page(user: User, objective: Objective, day: dt.date) -> dict[str, Any]:
    rows = measured_objective(user, objective, day).measures
    return {"items": [measure_out(row) for row in rows], "count": len(rows)}


@router.post(
    "/objectives/{code}/measures", response={200: MeasurePage, **ERRORS}, tags=["objectives"]
)
def set_measure(request: HttpRequest, code: Code, payload: MeasureIn) -> dict[str, Any]:
    """Measure the objective by a KPI with a weight (or change the weight) from a day on.

    Weights are not negative and not all zero. Changing a weight already set that would
    alter an open planning period answers 400 with the code ``change_request_required``.
    """
    user = request_user(request)
    objective = visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    kpi = referenced_kpi(user, payload.kpi, "kpi")
    do_set_measure(
        user,
        objective,
        kpi,
        weight=payload.weight,
        effective=payload.effective_from,
        reason=payload.reason,
        source="api",
    )
    return _measures_page(user, objective, payload.effective_from)


@router.delete(
    "/objectives/{code}/measures", response={200: MeasurePage, **ERRORS}, tags=["objectives"]
)
def remove_measure(
    request: HttpRequest,
    code: Code,
    kpi: Text = Query(..., max_length=60, description="KPI code"),
    effective_from: Day = Query(..., description="First day the KPI no longer measures it"),
    reason: Text = Query("", max_length=1000),
) -> dict[str, Any]:
    """Stop measuring the objective by a KPI from ``effective_from`` on."""
    user = request_user(request)
    objective = visible_objective(user, code)
    require_anywhere(user, Capability.EDIT_STRATEGY)
    do_remove_measure(
        user,
        objective,
        referenced_kpi(user, kpi, "kpi"),
        effective=effective_from,
        reason=reason,
        source="api",
    )
    return _measures_page(user, objective, effective_from)
