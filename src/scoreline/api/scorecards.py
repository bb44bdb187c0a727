"""Scorecards of a unit and individual scorecards of a person."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
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
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.queries import (
    Coverage,
    KpiLine,
    ObjectiveLine,
    coverage_of,
    person_scorecard,
    scores_for,
    settled_month,
    unit_scorecard,
)

__all__ = [
    "router",
]

router = Router()


class CoverageOut(Schema):
    present: int = Field(description="Values below with a score in the month")
    expected: int = Field(description="Values below due in the month (or present)")
    percent: float | None = Field(description="present / expected x 100; none when none due")
    state: str = Field(
        description="complete (ended, all present), sufficient (ended, coverage at least the "
        "threshold) or provisional"
    )


STATUS = "Status by the score bands (the score beside it); empty without a score"


class ScorecardKpiOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    weight: float = Field(description="Weight of the KPI in the objective")
    value: float | None
    target: float | None
    score: float | None
    status: str
    status_by: str | None = Field(
        description="What the status follows when it is not the score bands: value, "
        "% of target or own score bands (none: the score bands)"
    )


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
    status: str = Field(description=STATUS)
    coverage: CoverageOut | None
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
    status: str = Field(description=STATUS)
    coverage: CoverageOut | None
    objectives: list[ScorecardObjectiveOut]


class ScorecardUnitOut(Schema):
    code: str
    name: str
    score: float | None


PROVISIONAL = (
    "Whether the month is provisional: not yet over, or fewer values in than the threshold"
)


class ScorecardOut(Schema):
    unit: str
    name: str
    period: dt.date
    definitions_as_of: dt.date
    score: float | None
    status: str = Field(description=STATUS)
    provisional: bool = Field(description=PROVISIONAL)
    coverage: CoverageOut | None
    explanation: dict[str, Any] = Field(description="How the unit's score was rolled up")
    perspectives: list[ScorecardPerspectiveOut]
    children: list[ScorecardUnitOut] = Field(
        description="Units directly below, with their scores (drill down to their scorecards)"
    )


def _period(rows: QuerySet[Score], period: dt.date | None) -> dt.date:
    """The month asked for, else the latest complete or sufficient one (decision 0006)."""
    if period is not None:
        return period
    return settled_month(rows) or month_start(today())


def _coverage_out(coverage: Coverage | None) -> dict[str, Any] | None:
    if coverage is None:
        return None
    return {
        "present": coverage.present,
        "expected": coverage.expected,
        "percent": coverage.percent,
        "state": coverage.state,
    }


def _rolled_up(score: Score | None) -> dict[str, Any]:
    """A roll-up node's score, status and coverage."""
    return {
        "score": score.score if score is not None else None,
        "status": score.status if score is not None else "",
        "coverage": _coverage_out(coverage_of(score)),
    }


def _month_out(score: Score | None) -> dict[str, Any]:
    """The scorecard's own score, status, coverage and whether its month is provisional."""
    coverage = coverage_of(score)
    return {
        **_rolled_up(score),
        "provisional": coverage is None or coverage.provisional,
        "explanation": score.explanation if score is not None else {},
    }


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
        "status_by": (leaf.explanation or {}).get("status_by") if leaf is not None else None,
    }


def _objective_out(line: ObjectiveLine) -> dict[str, Any]:
    version = line.version
    return {
        "code": version.objective.code,
        "name": version.name,
        "weight": version.weight,
        **_rolled_up(line.score),
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
    period: Month | None = Query(
        None,
        description="The month, YYYY-MM (default: the latest complete or sufficient month)",
    ),
) -> dict[str, Any]:
    """The unit's scorecard in a month: unit, perspectives, objectives and their KPIs with
    scores and statuses, and the units below to drill down into."""
    user = request_user(request)
    unit = visible_unit(user, unit_code)
    rows = scores_for(user, kind=NodeKind.UNIT, unit=unit)
    card = unit_scorecard(user, unit, _period(rows, period))
    return {
        "unit": unit.code,
        "name": unit.name,
        "period": card.month,
        "definitions_as_of": card.day,
        **_month_out(card.score),
        "perspectives": [
            {
                "code": lane.perspective.code,
                "name": lane.perspective.name,
                **_rolled_up(lane.score),
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
    status: str = Field(description=STATUS)
    provisional: bool = Field(description=PROVISIONAL)
    coverage: CoverageOut | None
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
    period: Month | None = Query(
        None,
        description="The month, YYYY-MM (default: the latest complete or sufficient month)",
    ),
) -> dict[str, Any]:
    """A person's individual scorecard in a month: their goals, the KPIs measuring each, and
    the overall score; for those who may see the person's ratings."""
    user = request_user(request)
    _, person = subject_of(user, None, employee_id)
    assert person is not None
    rows = scores_for(user, kind=NodeKind.PERSON, person=person)
    card = person_scorecard(user, person, _period(rows, period))
    return {
        "person": person.employee_id,
        "name": person.full_name,
        "period": card.month,
        "definitions_as_of": card.day,
        **_month_out(card.score),
        "goals": [_objective_out(line) for line in card.goals],
    }
