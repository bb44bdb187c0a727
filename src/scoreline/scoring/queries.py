"""Reads of computed scores, scorecards and the perspective weights they roll up by, scoped
to what the reader may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet

from scoreline.access.capabilities import Capability
from scoreline.access.scope import (
    AnyUser,
    holds_everywhere,
)
from scoreline.engine.coverage import MonthState, coverage_ratio, month_states
from scoreline.kpis.measures import scorecard_rows
from scoreline.kpis.models import Kpi
from scoreline.kpis.queries import subject_filter, subjects_q
from scoreline.lib.dates import today
from scoreline.lib.months import month_end, month_start
from scoreline.lib.tree import subtree_q
from scoreline.org.models import OrgUnit, Person
from scoreline.org.queries import units_for
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.perspectives import perspective_weights_in_force
from scoreline.strategy.models import ObjectiveVersion, Perspective
from scoreline.strategy.queries import objectives_for, strategy_map

__all__ = [
    "ChildLine",
    "ContributionLine",
    "Coverage",
    "GoalLine",
    "IndividualScorecard",
    "KpiLine",
    "ObjectiveLine",
    "PersonScorecard",
    "PerspectiveLine",
    "PerspectiveWeightLine",
    "UnitScorecard",
    "coverage_of",
    "individual_scorecard",
    "latest_by",
    "objective_lines",
    "person_scorecard",
    "perspective_weights",
    "scores_for",
    "settled_month",
    "unit_scorecard",
]


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
class Coverage:
    """The values a roll-up score rests on against the values expected in its month, and
    what that makes the month: complete, sufficient or provisional (decision 0006)."""

    present: int
    expected: int
    state: str

    @property
    def percent(self) -> float | None:
        ratio = float(coverage_ratio([self.present], [self.expected])[0])
        return None if np.isnan(ratio) else 100.0 * ratio

    @property
    def provisional(self) -> bool:
        return self.state == MonthState.PROVISIONAL.name.lower()


def _states(present: list[int], expected: list[int], months: list[dt.date]) -> list[str]:
    ended = [month_end(month) < today() for month in months]
    threshold = settings.SUFFICIENT_COVERAGE_PERCENT / 100.0
    codes = month_states(present, expected, ended, threshold).tolist()
    return [MonthState(code).name.lower() for code in codes]


def _counts(score: Score) -> tuple[int, int] | None:
    stored = score.explanation if isinstance(score.explanation, dict) else {}
    present, expected = stored.get("values_present"), stored.get("values_expected")
    if isinstance(present, int) and isinstance(expected, int):
        return present, expected
    return None


def coverage_of(score: Score | None) -> Coverage | None:
    """The coverage of a stored roll-up score (None for KPI rows and rows stored without)."""
    counts = _counts(score) if score is not None else None
    if score is None or counts is None:
        return None
    present, expected = counts
    return Coverage(present, expected, _states([present], [expected], [score.period])[0])


def settled_month(rows: QuerySet[Score]) -> dt.date | None:
    """The month a scorecard opens on: the latest month of one node's ``rows`` that is
    complete or sufficient, else the latest month stored (provisional), else None.

    Months after the current one (forecasts) are never chosen by default.
    """
    stored = list(
        rows.filter(period__lte=month_start(today())).order_by("-period")[:MONTHS_SEARCHED]
    )
    if not stored:
        return None
    settled = [row.period for row, ok in zip(stored, _settled_rows(stored), strict=True) if ok]
    return settled[0] if settled else stored[0].period


# How far back a scorecard looks for a month with enough data before it opens the latest.
MONTHS_SEARCHED = 36


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
    """``person``'s individual scorecard in its latest complete or sufficient month, or None
    when ``user`` may not see their ratings or nothing has been scored."""
    rows = scores_for(user, kind=NodeKind.PERSON, person=person)
    month = settled_month(rows)
    own = rows.filter(period=month).first() if month is not None else None
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


@dataclass(frozen=True)
class KpiLine:
    """A KPI measuring an objective on a scorecard, with its weight and its score."""

    kpi: Kpi
    name: str
    unit_of_measure: str
    weight: float
    score: Score | None


@dataclass(frozen=True)
class ContributionLine:
    """An objective below (of another unit, or a person's goal) contributing through the
    cascade, with its score."""

    version: ObjectiveVersion
    score: Score | None


@dataclass(frozen=True)
class ObjectiveLine:
    version: ObjectiveVersion
    score: Score | None
    kpis: list[KpiLine]
    contributions: list[ContributionLine]


@dataclass(frozen=True)
class PerspectiveLine:
    perspective: Perspective
    score: Score | None
    objectives: list[ObjectiveLine]


@dataclass(frozen=True)
class ChildLine:
    unit: OrgUnit
    score: Score | None


@dataclass(frozen=True)
class UnitScorecard:
    """A unit's scorecard in a month, as the definitions in force on ``day`` give it: the
    perspectives in order (empty ones too), their objectives with KPIs and contributions, and
    the units directly below with their scores."""

    unit: OrgUnit
    month: dt.date
    day: dt.date
    score: Score | None
    perspectives: list[PerspectiveLine]
    children: list[ChildLine]

    @property
    def coverage(self) -> Coverage | None:
        return coverage_of(self.score)


def latest_by(rows: Iterable[Score], key: str) -> dict[int, Score]:
    """The latest score row per value of ``key`` (e.g. ``"objective_id"``), preferring
    the latest of a complete or sufficient month to a later provisional one."""
    keyed = [row for row in rows if getattr(row, key) is not None]
    settled = _settled_rows(keyed)
    latest: dict[int, tuple[bool, Score]] = {}
    for row, ok in zip(keyed, settled, strict=True):
        ident = getattr(row, key)
        known = latest.get(ident)
        if known is None or (ok, row.period) > (known[0], known[1].period):
            latest[ident] = (ok, row)
    return {ident: row for ident, (_, row) in latest.items()}


def _settled_rows(rows: list[Score]) -> list[bool]:
    """Whether each row's month is not provisional (rows without coverage, KPI values, are)."""
    counted = [(i, _counts(row)) for i, row in enumerate(rows)]
    known = [(i, c) for i, c in counted if c is not None]
    settled = [True] * len(rows)
    if known:
        states = _states(
            [c[0] for _, c in known], [c[1] for _, c in known], [rows[i].period for i, _ in known]
        )
        for (i, _), state in zip(known, states, strict=True):
            settled[i] = state != MonthState.PROVISIONAL.name.lower()
    return settled


def objective_lines(
    user: AnyUser, versions: list[ObjectiveVersion], scores: list[Score], month: dt.date
) -> dict[int, ObjectiveLine]:
    """How a scorecard shows each objective (or goal) of ``versions`` in ``month``, by
    objective id: its score and the KPIs measuring it (from ``scores``, the scorecard's own
    rows), and the objectives below contributing to it."""
    day = min(month_end(month), today())
    objective_scores = latest_by(
        (s for s in scores if s.kind == NodeKind.OBJECTIVE), "objective_id"
    )
    kpi_scores = latest_by((s for s in scores if s.kind == NodeKind.KPI), "kpi_id")
    details = scorecard_rows(user, versions, day)
    contributing = [child.objective_id for detail in details.values() for child in detail.children]
    contribution_scores = latest_by(
        scores_for(user, kind=NodeKind.OBJECTIVE, months=[month]).filter(
            objective_id__in=contributing
        ),
        "objective_id",
    )
    lines = {}
    for version in versions:
        detail = details[version.objective_id]
        kpis = [
            KpiLine(
                row.kpi,
                row.definition.name,
                row.definition.unit,
                row.weight,
                kpi_scores.get(row.kpi.pk),
            )
            for row in detail.measures
        ]
        contributions = [
            ContributionLine(child, contribution_scores.get(child.objective_id))
            for child in detail.children
        ]
        score = objective_scores.get(version.objective_id)
        lines[version.objective_id] = ObjectiveLine(version, score, kpis, contributions)
    return lines


def unit_scorecard(user: AnyUser, unit: OrgUnit, month: dt.date) -> UnitScorecard:
    """``unit``'s scorecard in ``month``; AccessDenied unless ``user`` may see the unit."""
    day = min(month_end(month), today())
    lanes = strategy_map(user, unit, day).lanes
    own = list(scores_for(user, unit=unit, months=[month]).select_related("kpi", "objective"))
    unit_score = next((s for s in own if s.kind == NodeKind.UNIT), None)
    perspective_scores = latest_by(
        (s for s in own if s.kind == NodeKind.PERSPECTIVE), "perspective_id"
    )
    lines = objective_lines(user, [v for lane in lanes for v in lane.objectives], own, month)
    perspectives = [
        PerspectiveLine(
            lane.perspective,
            perspective_scores.get(lane.perspective.pk),
            [lines[version.objective_id] for version in lane.objectives],
        )
        for lane in lanes
    ]
    below = units_for(user).filter(subtree_q(unit.path), depth=unit.depth + 1).order_by("path")
    child_scores = latest_by(
        scores_for(user, kind=NodeKind.UNIT, months=[month]).filter(unit__in=below), "unit_id"
    )
    children = [ChildLine(child, child_scores.get(child.pk)) for child in below]
    return UnitScorecard(unit, month, day, unit_score, perspectives, children)


@dataclass(frozen=True)
class PersonScorecard:
    """A person's individual scorecard in a month: the overall score and each goal."""

    person: Person
    month: dt.date
    day: dt.date
    score: Score | None
    goals: list[ObjectiveLine]

    @property
    def coverage(self) -> Coverage | None:
        return coverage_of(self.score)


def person_scorecard(user: AnyUser, person: Person, month: dt.date) -> PersonScorecard:
    """``person``'s individual scorecard in ``month``, as far as ``user`` may see it."""
    day = min(today(), month_end(month))
    versions = list(objectives_for(user, day, person=person))
    scores = list(
        scores_for(user, months=[month])
        .filter(Q(person=person) | Q(objective_id__in=[v.objective_id for v in versions]))
        .select_related("kpi", "objective")
    )
    own = next((s for s in scores if s.kind == NodeKind.PERSON), None)
    lines = objective_lines(user, versions, scores, month)
    return PersonScorecard(person, month, day, own, [lines[v.objective_id] for v in versions])


@dataclass(frozen=True)
class PerspectiveWeightLine:
    """A perspective's weight in a unit's scorecard on a day, and where it comes from:
    ``own`` (the unit's), ``default`` (every unit's) or ``""`` (none set: it counts 1)."""

    perspective: Perspective
    weight: float
    source: str


def perspective_weights(unit: OrgUnit, day: dt.date) -> list[PerspectiveWeightLine]:
    """Every perspective's weight in ``unit``'s scorecard on ``day``, as the roll-up uses it.

    The caller checks that the reader may see ``unit``."""
    weights = perspective_weights_in_force(day, [unit.pk])
    return [
        PerspectiveWeightLine(perspective, *weights.source(unit.pk, perspective.pk))
        for perspective in Perspective.objects.order_by("position", "code")
    ]
