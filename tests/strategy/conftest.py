"""Fixtures and builders for the strategy tests: state made through the real actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import User

from scoreline.audit.models import AuditEvent
from scoreline.kpis.actions import (
    do_close_period,
    do_create_kpi,
    do_create_period,
    do_open_period,
    do_set_measure,
)
from scoreline.kpis.models import Kpi, PeriodState, PlanningPeriod
from scoreline.strategy.actions import do_create_objective
from scoreline.strategy.models import (
    Objective,
    ObjectiveLink,
    ObjectiveVersion,
    Perspective,
    Workshop,
    WorkshopAllocation,
)
from tests.builders.enterprise import Enterprise

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


@pytest.fixture
def make_objective(enterprise: Enterprise) -> MakeObjective:
    """Create an objective as the admin: ``make_objective("C1", unit="GRP", parent=...)``."""

    def make(
        code: str,
        *,
        unit: str | None = None,
        person: str | None = None,
        perspective: str = "financial",
        actor: str = "admin",
        valid_from: dt.date = DAY,
        **fields: Any,
    ) -> Objective:
        return do_create_objective(
            enterprise.users[actor],
            code=code,
            name=fields.pop("name", f"Objective {code}"),
            perspective=Perspective.objects.get(code=perspective),
            unit=enterprise.units[unit] if unit else None,
            person=enterprise.people[person] if person else None,
            horizon_start=HORIZON[0],
            horizon_end=HORIZON[1],
            valid_from=valid_from,
            **fields,
        )

    return make


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
