"""Scorecards of a unit and individual scorecards of a person."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from scoreline.api.fields import Month
from scoreline.api.lookups import (
    subject_of,
    visible_unit,
)
from scoreline.api.objectives import CascadeSplitOut, split_out
from scoreline.api.support import ERRORS, Text, request_user
from scoreline.lib.dates import today
from scoreline.lib.months import month_start
from scoreline.org.models import OrgUnit
from scoreline.scoring.models import NodeKind
from scoreline.scoring.queries import (
    KpiLine,
    ObjectiveLine,
    person_scorecard,
    scores_for,
    unit_scorecard,
)

__all__ = [
    "router",
]

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
    split: CascadeSplitOut | None = Field(
        description="Its own KPIs' and the contributing objectives' shares of the score"
    )
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
    return latest if latest is not None else month_start(today())


def _kpi_out(line: KpiLine) -> dict[str, Any]:
    leaf = line.score
    inputs = (leaf.explanation or {}).get("inputs", {}) if leaf is not None else {}
    return {
        "code": line.kpi.code,
        "name": line.name,
        "unit_of_measure": line.unit_of_measure,
        "weight": line.weight,
        "value": leaf.value if leaf is not None else None,
        "target": inputs.get("target"),
        "score": leaf.score if leaf is not None else None,
        "status": leaf.status if leaf is not None else "",
    }


def _objective_out(line: ObjectiveLine) -> dict[str, Any]:
    version = line.version
    return {
        "code": version.objective.code,
        "name": version.name,
        "weight": version.weight,
        "score": line.score.score if line.score is not None else None,
        "split": split_out(line.score),
        "kpis": [_kpi_out(kpi) for kpi in line.kpis],
        "children": [
            {
                "code": child.version.objective.code,
                "name": child.version.name,
                "unit": child.version.unit.code if child.version.unit is not None else None,
                "person": (
                    child.version.person.employee_id if child.version.person is not None else None
                ),
                "score": child.score.score if child.score is not None else None,
            }
            for child in line.contributions
        ],
    }


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
    card = unit_scorecard(user, unit, _scorecard_period(user, unit, period))
    return {
        "unit": unit.code,
        "name": unit.name,
        "period": card.month,
        "definitions_as_of": card.day,
        "score": card.score.score if card.score is not None else None,
        "explanation": card.score.explanation if card.score is not None else {},
        "perspectives": [
            {
                "code": lane.perspective.code,
                "name": lane.perspective.name,
                "score": lane.score.score if lane.score is not None else None,
                "objectives": [_objective_out(line) for line in lane.objectives],
            }
            for lane in card.perspectives
            if lane.objectives
        ],
        "children": [
            {
                "code": child.unit.code,
                "name": child.unit.name,
                "score": child.score.score if child.score is not None else None,
            }
            for child in sorted(card.children, key=lambda child: child.unit.code)
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
    card = person_scorecard(user, person, period or latest or month_start(today()))
    return {
        "person": person.employee_id,
        "name": person.full_name,
        "period": card.month,
        "definitions_as_of": card.day,
        "score": card.score.score if card.score is not None else None,
        "explanation": card.score.explanation if card.score is not None else {},
        "goals": [_objective_out(line) for line in card.goals],
    }
