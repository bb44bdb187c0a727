"""Scorecards of a unit and individual scorecards of a person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.api.fields import Month
from scoreline.api.lookups import (
    subject_of,
    visible_unit,
)
from scoreline.api.support import ERRORS, Text, request_user
from scoreline.kpis.measures import scorecard_rows
from scoreline.lib.dates import month_end, today
from scoreline.org.models import OrgUnit
from scoreline.org.queries import units_for
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.queries import scores_for
from scoreline.strategy.queries import objectives_for

router = Router()


class ScorecardKpiOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    weight: float = Field(description="Weight of the KPI in the objective")
    value: float | None
    target: float | None
    score: float | None
    status: str


class ScorecardChildOut(Schema):
    code: str
    name: str
    unit: str | None
    person: str | None
    score: float | None


class ScorecardObjectiveOut(Schema):
    code: str
    name: str
    weight: float
    score: float | None
    kpis: list[ScorecardKpiOut]
    children: list[ScorecardChildOut] = Field(
        description="Objectives cascading into this one (drill down)"
    )


class ScorecardPerspectiveOut(Schema):
    code: str
    name: str
    score: float | None
    objectives: list[ScorecardObjectiveOut]


class ScorecardUnitOut(Schema):
    code: str
    name: str
    score: float | None


class ScorecardOut(Schema):
    unit: str
    name: str
    period: dt.date
    definitions_as_of: dt.date
    score: float | None
    explanation: dict[str, Any] = Field(description="How the unit's score was rolled up")
    perspectives: list[ScorecardPerspectiveOut]
    children: list[ScorecardUnitOut] = Field(
        description="Units directly below, with their scores (drill down to their scorecards)"
    )


def _scorecard_period(user: User, unit: OrgUnit, period: dt.date | None) -> dt.date:
    if period is not None:
        return period
    latest = (
        scores_for(user, kind=NodeKind.UNIT, unit=unit)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return latest if latest is not None else today().replace(day=1)


def _objectives_out(
    user: User, versions: list[Any], scores: list[Score], month: dt.date, day: dt.date
) -> Callable[[Any], dict[str, Any]]:
    """How to show each objective (or goal) of a scorecard: its score, KPIs and children."""
    objective_scores = {s.objective_id: s for s in scores if s.kind == NodeKind.OBJECTIVE}
    kpi_scores = {s.kpi_id: s for s in scores if s.kind == NodeKind.KPI}
    details = scorecard_rows(user, versions, day)
    child_ids = [c.objective_id for d in details.values() for c in d.children]
    child_scores = {
        s.objective_id: s.score
        for s in scores_for(user, kind=NodeKind.OBJECTIVE, months=[month]).filter(
            objective_id__in=child_ids
        )
    }

    def objective_out(version: Any) -> dict[str, Any]:
        detail = details[version.objective_id]
        own = objective_scores.get(version.objective_id)
        kpis = []
        for row in detail.measures:
            leaf = kpi_scores.get(row.kpi.pk)
            inputs = (leaf.explanation or {}).get("inputs", {}) if leaf is not None else {}
            kpis.append(
                {
                    "code": row.kpi.code,
                    "name": row.definition.name,
                    "unit_of_measure": row.definition.unit,
                    "weight": row.weight,
                    "value": leaf.value if leaf is not None else None,
                    "target": inputs.get("target"),
                    "score": leaf.score if leaf is not None else None,
                    "status": leaf.status if leaf is not None else "",
                }
            )
        return {
            "code": version.objective.code,
            "name": version.name,
            "weight": version.weight,
            "score": own.score if own is not None else None,
            "kpis": kpis,
            "children": [
                {
                    "code": child.objective.code,
                    "name": child.name,
                    "unit": child.unit.code if child.unit is not None else None,
                    "person": child.person.employee_id if child.person is not None else None,
                    "score": child_scores.get(child.objective_id),
                }
                for child in detail.children
            ],
        }

    return objective_out


@router.get("/scorecards/{unit_code}", response={200: ScorecardOut, **ERRORS}, tags=["scorecards"])
def get_scorecard(
    request: HttpRequest,
    unit_code: Annotated[Text, Field(max_length=40, description="Unit code")],
    period: Month | None = Query(None, description="The month, YYYY-MM (default: the latest)"),
) -> dict[str, Any]:
    """The unit's scorecard in a month: unit, perspectives, objectives and their KPIs with
    scores and statuses, and the units below to drill down into."""
    user = request_user(request)
    unit = visible_unit(user, unit_code)
    month = _scorecard_period(user, unit, period)
    day = min(today(), month_end(month))
    scores = list(scores_for(user, unit=unit, months=[month]).select_related("kpi", "objective"))
    unit_score = next((s for s in scores if s.kind == NodeKind.UNIT), None)
    perspective_scores = {s.perspective_id: s for s in scores if s.kind == NodeKind.PERSPECTIVE}
    versions = list(objectives_for(user, day, unit=unit))
    objective_out = _objectives_out(user, versions, scores, month, day)

    perspectives: dict[int, dict[str, Any]] = {}
    for version in versions:
        perspective = version.perspective
        lane = perspectives.setdefault(
            perspective.pk,
            {
                "code": perspective.code,
                "name": perspective.name,
                "score": getattr(perspective_scores.get(perspective.pk), "score", None),
                "objectives": [],
            },
        )
        lane["objectives"].append(objective_out(version))
    below = list(
        units_for(user).filter(path__startswith=unit.path, depth=unit.depth + 1).order_by("code")
    )
    below_scores = {
        s.unit_id: s.score
        for s in scores_for(user, kind=NodeKind.UNIT, months=[month]).filter(
            unit_id__in=[u.pk for u in below]
        )
    }
    return {
        "unit": unit.code,
        "name": unit.name,
        "period": month,
        "definitions_as_of": day,
        "score": unit_score.score if unit_score is not None else None,
        "explanation": unit_score.explanation if unit_score is not None else {},
        "perspectives": list(perspectives.values()),
        "children": [
            {"code": u.code, "name": u.name, "score": below_scores.get(u.pk)} for u in below
        ],
    }


class PersonScorecardOut(Schema):
    person: str = Field(description="Employee id")
    name: str
    period: dt.date
    definitions_as_of: dt.date
    score: float | None
    explanation: dict[str, Any] = Field(description="How the goals were rolled up")
    goals: list[ScorecardObjectiveOut]


@router.get(
    "/scorecards/people/{employee_id}",
    response={200: PersonScorecardOut, **ERRORS},
    tags=["scorecards"],
)
def get_person_scorecard(
    request: HttpRequest,
    employee_id: Annotated[Text, Field(max_length=40, description="Employee id")],
    period: Month | None = Query(None, description="The month, YYYY-MM (default: the latest)"),
) -> dict[str, Any]:
    """A person's individual scorecard in a month: their goals, the KPIs measuring each, and
    the overall score; for those who may see the person's ratings."""
    user = request_user(request)
    _, person = subject_of(user, None, employee_id)
    assert person is not None
    scored = scores_for(user, kind=NodeKind.PERSON, person=person).order_by("-period")
    latest = scored.values_list("period", flat=True).first()
    month = period or latest or today().replace(day=1)
    day = min(today(), month_end(month))
    versions = list(objectives_for(user, day, person=person))
    scores = list(
        scores_for(user, months=[month])
        .filter(Q(person=person) | Q(objective_id__in=[v.objective_id for v in versions]))
        .select_related("kpi", "objective")
    )
    own = next((s for s in scores if s.kind == NodeKind.PERSON), None)
    goal_out = _objectives_out(user, versions, scores, month, day)
    return {
        "person": person.employee_id,
        "name": person.full_name,
        "period": month,
        "definitions_as_of": day,
        "score": own.score if own is not None else None,
        "explanation": own.explanation if own is not None else {},
        "goals": [goal_out(version) for version in versions],
    }
