"""Helpers of the strategy tests: periods, KPIs and measures made through the real actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User

from scoreline.audit.models import AuditEvent
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.planning.actions import do_close_period, do_create_period, do_open_period
from scoreline.planning.models import PeriodState, PlanningPeriod
from scoreline.scoring.actions.definitions import do_set_measure
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    Workshop,
    WorkshopAllocation,
)

DAY = dt.date(2024, 1, 1)
HORIZON = (dt.date(2024, 1, 1), dt.date(2027, 1, 1))

MakeObjective = Callable[..., Objective]


@contextmanager
def nothing_written() -> Iterator[None]:
    """Assert the block leaves every strategy table and the audit trail as they were."""

    def counts() -> tuple[int, ...]:
        return tuple(
            model.objects.count()
            for model in (
                AuditEvent,
                Objective,
                ObjectiveVersion,
                ObjectiveLink,
                Perspective,
                Workshop,
                WorkshopAllocation,
            )
        )

    before = counts()
    yield
    assert counts() == before


def version(objective: Objective, day: dt.date = DAY) -> ObjectiveVersion:
    found = ObjectiveVersion.objects.filter(objective=objective, valid_from__lte=day).last()
    assert found is not None and found.in_force_on(day)
    return found


def planning_period(label: str, start: dt.date, end: dt.date, state: str) -> PlanningPeriod:
    """A planning period moved to ``state`` through the actions by the administrator."""
    admin = User.objects.get(username="admin")
    period = do_create_period(admin, label=label, start=start, end=end)
    if state in (PeriodState.OPEN, PeriodState.CLOSED):
        period = do_open_period(admin, period)
    if state == PeriodState.CLOSED:
        period = do_close_period(admin, period)
    return period


def open_fy2024() -> PlanningPeriod:
    return planning_period("FY2024", dt.date(2024, 1, 1), dt.date(2025, 1, 1), PeriodState.OPEN)


def closed_fy2023() -> PlanningPeriod:
    return planning_period("FY2023", dt.date(2023, 1, 1), dt.date(2024, 1, 1), PeriodState.CLOSED)


def make_kpi(code: str, *, day: dt.date = DAY, **fields: Any) -> Kpi:
    """A KPI in the catalogue from ``day``, created by the administrator."""
    content: dict[str, Any] = {
        "name": f"KPI {code}",
        "direction": "higher",
        "temporality": "lagging",
        "kind": "output",
        "time_aggregation": "sum",
        "tree_aggregation": "sum",
        "scoring": "linear",
    } | fields
    return do_create_kpi(User.objects.get(username="admin"), code=code, valid_from=day, **content)


def measure(objective: Objective, kpi: Kpi, *, weight: float = 1.0, day: dt.date = DAY) -> None:
    do_set_measure(User.objects.get(username="admin"), objective, kpi, weight=weight, effective=day)
