"""The ESG view: objectives and KPIs carrying a pillar, a disclosure or a requirement."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.api.fields import AsOf, Day
from scoreline.api.pages import day_or_today, page_list, worst_status
from scoreline.api.support import (
    ERRORS,
    PageQuery,
    request_user,
)
from scoreline.kpis.measures import (
    EsgItem,
    esg_items,
    measured_objective,
)
from scoreline.scoring.models import NodeKind
from scoreline.scoring.queries import scores_for

__all__ = [
    "router",
]

router = Router()


class EsgOut(Schema):
    kind: Literal["objective", "kpi"]
    code: str
    name: str
    pillar: str = Field(description="E, S, G or empty")
    disclosure_ref: str
    required_by: str
    unit: str | None
    person: str | None
    status: str = Field(
        description="Worst status of the latest KPI scores behind the item; empty when unscored"
    )
    period: dt.date | None = Field(description="The month of those scores")


class EsgPage(Schema):
    items: list[EsgOut]
    count: int


def _esg_status(user: User, item: EsgItem, day: dt.date) -> tuple[str, dt.date | None]:
    """The worst status among the latest KPI scores behind an ESG item."""
    if item.kind == "kpi":
        scores = scores_for(user, kind=NodeKind.KPI, kpi=item.kpi)
    else:
        assert item.objective is not None
        measures = measured_objective(user, item.objective, day).measures
        scores = scores_for(user, kind=NodeKind.KPI, unit=item.unit, person=item.person).filter(
            kpi_id__in=[row.kpi.pk for row in measures]
        )
    latest = scores.order_by("-period").values_list("period", flat=True).first()
    if latest is None:
        return "", None
    statuses = scores.filter(period=latest).values_list("status", flat=True)
    return worst_status(statuses), latest


@router.get("/esg", response={200: EsgPage, **ERRORS}, tags=["strategy"])
def list_esg(
    request: HttpRequest, page: Query[PageQuery], as_of: Day | None = AsOf
) -> dict[str, Any]:
    """Objectives and KPIs with an ESG pillar, a disclosure reference or a regulator or
    investor requirement, by pillar, each with the status of its latest scores."""
    user = request_user(request)
    day = day_or_today(as_of)
    items, count = page_list(esg_items(user, day), page)
    out = []
    for item in items:
        status, period = _esg_status(user, item, day)
        out.append(
            {
                "kind": item.kind,
                "code": item.code,
                "name": item.name,
                "pillar": item.pillar,
                "disclosure_ref": item.disclosure_ref,
                "required_by": item.required_by,
                "unit": item.unit.code if item.unit is not None else None,
                "person": item.person.employee_id if item.person is not None else None,
                "status": status,
                "period": period,
            }
        )
    return {"items": out, "count": count}
