"""Fixtures shared by the KPI, scoring, planning, governance and quality tests: definitions,
periods and objectives built through the actions, and the audit architecture."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.planning.actions import do_close_period, do_create_period, do_open_period
from scoreline.planning.models import PlanningPeriod
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.strategy.models import Objective, Perspective
from tests.builders import audits
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import DAY, KPI_DEFAULTS, YEAR_END, MakeKpi, MakeObjective, MakePeriod
from tests.builders.measured import NOW, measured_group_objective
from tests.builders.worlds import WORLDS


@pytest.fixture
def measured_grow(enterprise: Enterprise) -> Iterator[Objective]:
    """In March 2025, the group's objective ``grow`` measured by one KPI at 80% of its target
    in January and February (tests/builders/measured.py)."""
    with time_machine.travel(NOW, tick=False):
        yield measured_group_objective(enterprise)


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


@pytest.fixture
def architecture(
    enterprise: Enterprise, world_kpi_audits: audits.Architecture
) -> audits.Architecture:
    """The planted architecture of the audit tests (tests/builders/audits.py)."""
    return world_kpi_audits


world_kpi_audits = WORLDS.fixture(
    "kpi_audits", audits.build_architecture, parent="enterprise", fresh=audits.reread
)
