"""Shared helpers for the KPI tests: definitions, periods and objectives built through actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scoreline.audit.models import AuditEvent
from scoreline.kpis.actions import (
    do_close_period,
    do_create_kpi,
    do_create_period,
    do_open_period,
    do_set_target,
)
from scoreline.kpis.models import (
    Assessment,
    ChangeRequest,
    Kpi,
    KpiValue,
    KpiVersion,
    ObjectiveMeasure,
    PerspectiveWeight,
    PlanningPeriod,
    Rubric,
    RubricLevel,
    ScorecardPolicy,
    StatusRule,
    Target,
)
from scoreline.strategy.actions import do_create_objective
from scoreline.strategy.models import Objective, ObjectiveVersion, Perspective
from tests.builders import audits
from tests.builders.enterprise import Enterprise
from tests.builders.worlds import WORLDS

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


@pytest.fixture
def make_kpi(enterprise: Enterprise) -> MakeKpi:
    """A KPI created by the data steward: ``make_kpi("REV", unit="EUR", direction="lower")``."""

    def make(code: str, *, actor: str = "steward", valid_from: dt.date = DAY, **fields: Any) -> Kpi:
        content = {"name": f"KPI {code}", **KPI_DEFAULTS, **fields}
        return do_create_kpi(
            enterprise.users[actor], code=code, valid_from=valid_from, reason="test", **content
        )

    return make


@pytest.fixture
def make_period(enterprise: Enterprise) -> MakePeriod:
    """A planning period in a state, moved there through the actions by the administrator."""

    def make(label: str, start: dt.date, end: dt.date, state: str = "open") -> PlanningPeriod:
        admin = enterprise.users["admin"]
        period = do_create_period(admin, label=label, start=start, end=end)
        if state in ("open", "closed"):
            period = do_open_period(admin, period)
        if state == "closed":
            period = do_close_period(admin, period)
        return period

    return make


@pytest.fixture
def make_objective(enterprise: Enterprise) -> MakeObjective:
    """An objective of a unit (or an individual goal) created by the administrator."""

    def make(
        code: str,
        *,
        unit: str | None = None,
        person: str | None = None,
        perspective: str = "financial",
        **fields: Any,
    ) -> Objective:
        return do_create_objective(
            enterprise.users["admin"],
            code=code,
            name=f"Objective {code}",
            perspective=Perspective.objects.get(code=perspective),
            unit=enterprise.units[unit] if unit else None,
            person=enterprise.people[person] if person else None,
            horizon_start=DAY,
            horizon_end=YEAR_END,
            valid_from=DAY,
            **fields,
        )

    return make


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


world_kpi_audits = WORLDS.fixture(
    "kpi_audits", audits.build_architecture, parent="enterprise", fresh=audits.reread
)


@pytest.fixture
def architecture(
    enterprise: Enterprise, world_kpi_audits: audits.Architecture
) -> audits.Architecture:
    """The planted architecture of the audit tests (tests/builders/audits.py)."""
    return world_kpi_audits
