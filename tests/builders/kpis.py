"""Helpers of the KPI tests: dates, defaults, a target for this year, the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scoreline.audit.models import AuditEvent
from scoreline.governance.models import ChangeRequest
from scoreline.kpis.models import (
    Assessment,
    Kpi,
    KpiValue,
    KpiVersion,
    ObjectiveMeasure,
    Rubric,
    RubricLevel,
    StatusRule,
    Target,
)
from scoreline.planning.models import PlanningPeriod
from scoreline.scoring import pipeline
from scoreline.scoring.actions.definitions import do_set_target
from scoreline.scoring.models import PerspectiveWeight, Score, ScorecardPolicy
from scoreline.strategy.models import Objective, ObjectiveVersion
from tests.builders.enterprise import Enterprise

# Definitions start long before the months the tests score.
DAY = dt.date(2024, 1, 1)
# A fiscal year whose span includes the day the tests run, so that definitions and targets
# in force "today" are the ones the tests set.
YEAR_START = dt.date(2026, 1, 1)
YEAR_END = dt.date(2027, 1, 1)
MONTH = dt.date(2026, 3, 1)

MakeKpi = Callable[..., Kpi]
MakePeriod = Callable[..., PlanningPeriod]
MakeObjective = Callable[..., Objective]

KPI_DEFAULTS: dict[str, Any] = {
    "direction": "higher",
    "temporality": "lagging",
    "kind": "output",
    "time_aggregation": "sum",
    "tree_aggregation": "sum",
    "scoring": "linear",
}

_TABLES = (
    AuditEvent,
    Kpi,
    KpiVersion,
    Target,
    StatusRule,
    ObjectiveMeasure,
    PerspectiveWeight,
    ScorecardPolicy,
    KpiValue,
    Assessment,
    ChangeRequest,
    Rubric,
    RubricLevel,
    PlanningPeriod,
    ObjectiveVersion,
)


@contextmanager
def nothing_written() -> Iterator[None]:
    """Assert the block leaves the KPI tables and the audit trail as they were."""

    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in _TABLES)

    before = counts()
    yield
    assert counts() == before


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def set_target(
    enterprise: Enterprise,
    kpi: Kpi,
    *,
    actor: str = "steward",
    unit: str | None = "SALES",
    person: str | None = None,
    **fields: Any,
) -> Target | None:
    """A target for this year; higher-is-better defaults: threshold 80, target 100, stretch 120."""
    values: dict[str, Any] = {
        "period_start": YEAR_START,
        "period_end": YEAR_END,
        "target_type": "stay_above",
        "threshold": 80.0,
        "target": 100.0,
        "stretch": 120.0,
    } | fields
    return do_set_target(
        enterprise.users[actor],
        kpi,
        unit=enterprise.units[unit] if unit and not person else None,
        person=enterprise.people[person] if person else None,
        **values,
    )


ScoreKey = tuple[str, int | None, int | None, int | None, int | None, int | None, dt.date]
"""A stored score's kind, KPI, objective, perspective, unit, person and month."""


def stored_scores() -> dict[ScoreKey, float | None]:
    """Every stored score, keyed by what it scores and its month."""
    return {
        (r.kind, r.kpi_id, r.objective_id, r.perspective_id, r.unit_id, r.person_id, r.period): (
            r.score
        )
        for r in Score.objects.all()
    }


def recomputed_scores() -> dict[ScoreKey, float | None]:
    """The scores stored by a full recompute."""
    pipeline.recompute()
    return stored_scores()
