"""Reads of computed scores and individual scorecards, scoped to what the reader may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    holds_everywhere,
)
from scoreline.kpis.models import Kpi
from scoreline.kpis.queries import subject_filter, subjects_q
from scoreline.lib.dates import today
from scoreline.lib.months import month_end
from scoreline.org.models import OrgUnit, Person
from scoreline.scoring.models import NodeKind, Score
from scoreline.strategy.models import ObjectiveVersion
from scoreline.strategy.queries import objectives_for

__all__ = ["GoalLine", "IndividualScorecard", "individual_scorecard", "scores_for"]


def scores_for(
    user: AnyUser,
    *,
    kind: str | None = None,
    kpi: Kpi | None = None,
    unit: OrgUnit | None = None,
    person: Person | None = None,
    months: Collection[dt.date] | None = None,
) -> QuerySet[Score]:
    """Computed scores ``user`` may see (rows of no unit or person: only organisation-wide)."""
    visible = subjects_q(user)
    if holds_everywhere(user, Capability.VIEW_ORG):
        visible |= Q(unit__isnull=True, person__isnull=True)
    rows = Score.objects.filter(visible)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if kpi is not None:
        rows = rows.filter(kpi=kpi)
    if months is not None:
        rows = rows.filter(period__in=list(months))
    return rows.filter(subject_filter(unit, person)).order_by("kind", "period", "id")


@dataclass(frozen=True)
class GoalLine:
    version: ObjectiveVersion
    score: Score | None


@dataclass(frozen=True)
class IndividualScorecard:
    """A person's individual score in a month and the score of each goal behind it."""

    month: dt.date
    score: Score
    goals: list[GoalLine]


def individual_scorecard(user: AnyUser, person: Person) -> IndividualScorecard | None:
    """``person``'s latest individual scorecard, or None when ``user`` may not see their
    ratings or nothing has been scored."""
    own = scores_for(user, kind=NodeKind.PERSON, person=person).order_by("-period").first()
    if own is None:
        return None
    day = min(today(), month_end(own.period))
    goals = list(objectives_for(user, day, person=person))
    scored = scores_for(user, kind=NodeKind.OBJECTIVE, person=person, months=[own.period])
    by_goal = {
        s.objective_id: s for s in scored.filter(objective_id__in=[g.objective_id for g in goals])
    }
    return IndividualScorecard(
        own.period, own, [GoalLine(goal, by_goal.get(goal.objective_id)) for goal in goals]
    )
