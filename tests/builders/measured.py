"""The group's objective measured by one KPI with two months of values, in March 2025: a
small world where a change to the cascade shows in the stored scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.scoring import pipeline
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.UTC)
"""The moment the tests of this world travel to (time_machine)."""
JANUARY, FEBRUARY = START, dt.date(2025, 2, 1)
HORIZON: dict[str, Any] = {
    "horizon_start": START,
    "horizon_end": dt.date(2026, 1, 1),
    "valid_from": START,
}


def measured_group_objective(enterprise: Enterprise) -> Objective:
    """The group's objective ``grow``, measured by one KPI at 80% of its target in January
    and February (score 80 each month), with every score stored."""
    admin, group = enterprise.users["admin"], enterprise.units["GRP"]
    sales = do_create_kpi(
        admin, code="sales", name="Sales", unit="EUR", direction="higher", temporality="lagging",
        kind="output", time_aggregation="average", tree_aggregation="none",
        refresh_cycle="monthly", data_source="ERP", scoring="percent_capped", valid_from=START,
    )  # fmt: skip
    do_set_target(
        admin, sales, unit=group, target_type="stay_above", target=100.0, period_start=START,
        period_end=dt.date(2026, 1, 1),
    )  # fmt: skip
    objective = do_create_objective(
        admin, code="grow", name="Grow", perspective=Perspective.objects.get(code="financial"),
        unit=group, **HORIZON,
    )  # fmt: skip
    do_set_measure(admin, objective, sales, weight=1.0, effective=START)
    for month in (JANUARY, FEBRUARY):
        do_record_value(
            enterprise.users["steward"], sales, unit=group, period=month, value=80.0,
            source="manual",
        )  # fmt: skip
    pipeline.recompute()
    return objective


def objective_score(objective: Objective, month: dt.date = JANUARY) -> float | None:
    """The objective's stored score of ``month`` (None: no score stored)."""
    rows = Score.objects.filter(kind=NodeKind.OBJECTIVE, objective=objective, period=month)
    return rows.values_list("score", flat=True).first()
