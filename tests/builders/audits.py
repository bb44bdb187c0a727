"""The architecture the SMART, redundancy and specificity audit tests run over.

Definitions, measures and targets are written through the KPI and strategy actions; the
history (the values the audits read) is inserted in bulk and scored once, as recording
168 values one by one through the action would, only faster. The architecture is dated
from today so the reports' default day (today) sees it: two years of monthly values up to
this month, and targets for the twelve months from it.
Each KPI's series is noise around a level and ends on the level, and each target asks for
that level, so nothing fails except what is planted:

- CUS-LOYALTY has a vague name (SMART S);
- FIN-DSO has no owner (SMART A);
- SAL-ORDERS (sales) and FIN-REVENUE (finance) move together: a duplicate pair;
- OPS-OUTPUT (higher is better) and OPS-OVERTIME (lower is better) move together: a
  conflicting pair.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from django.utils import timezone

from scoreline.demo.strategy import VALUE_FIELDS
from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi, KpiValue, ValueSource
from scoreline.lib.bulk import BulkInsert, db_date, db_datetime, db_json
from scoreline.lib.dates import today
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.pipeline import recompute
from scoreline.strategy.models import Perspective
from tests.builders.enterprise import Enterprise

HISTORY_MONTHS = 24
SPAN_MONTHS = 12


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    description: str
    function: str
    unit_of_measure: str
    direction: str
    time_aggregation: str
    tree_aggregation: str
    source: str
    at: str  # the unit whose values and target are entered
    level: float
    owner: str | None = "ceo"


SPECS = [
    Spec("SAL-ORDERS", "Order intake value", "Signed customer orders in the month",
         "sales", "EUR", "higher", "sum", "sum", "crm.orders", "SALES", 1000.0),
    Spec("FIN-REVENUE", "Recognised revenue", "Revenue booked in the general ledger",
         "finance", "EUR", "higher", "sum", "sum", "erp.ledger", "FIN", 800.0),
    Spec("OPS-OUTPUT", "Units shipped", "Finished units leaving the warehouse",
         "operations", "count", "higher", "sum", "sum", "wms.shipments", "UK", 500.0),
    Spec("OPS-OVERTIME", "Overtime hours", "Paid hours beyond contract across shifts",
         "people", "hours", "lower", "sum", "sum", "hris.timesheets", "UK", 200.0),
    Spec("CUS-LOYALTY", "Improve customer loyalty", "Share of customers renewing a contract",
         "sales", "%", "higher", "average", "average", "crm.renewals", "SALES", 40.0),
    Spec("FIN-DSO", "Debtor collection days", "Average days from invoice to cash received",
         "finance", "days", "lower", "average", "average", "erp.receivables", "FIN", 45.0,
         owner=None),
    Spec("HR-ABSENCE", "Sickness absence rate", "Working days lost to sickness over days planned",
         "people", "%", "lower", "average", "average", "hris.absence", "GRP", 4.0),
]  # fmt: skip
SPEC = {spec.code: spec for spec in SPECS}
PLANTED_SMART = {"CUS-LOYALTY": ["S"], "FIN-DSO": ["A"]}
PLANTED_PAIRS = {
    ("FIN-REVENUE", "SAL-ORDERS", "duplicate"),
    ("OPS-OUTPUT", "OPS-OVERTIME", "conflicting"),
}


def planted_series(months: int) -> dict[str, np.ndarray]:
    """Noise around each level, ending on it; two pairs share a common factor."""
    rng = np.random.default_rng(20261)

    def noise() -> np.ndarray:
        draws = rng.standard_normal(months)
        draws[-1] = 0.0
        return draws

    orders, output = noise(), noise()
    shape = {
        "SAL-ORDERS": 50 * orders,
        "FIN-REVENUE": 40 * orders + 4 * noise(),
        "OPS-OUTPUT": 30 * output,
        "OPS-OVERTIME": 12 * output + 1.2 * noise(),
        "CUS-LOYALTY": 3 * noise(),
        "FIN-DSO": 3 * noise(),
        "HR-ABSENCE": 0.4 * noise(),
    }
    return {code: SPEC[code].level + change for code, change in shape.items()}


@dataclass
class Architecture:
    day: dt.date
    month: dt.date
    kpis: dict[str, Kpi]


def target_fields(spec: Spec, goal: float) -> dict[str, Any]:
    """A target asking for ``goal`` each month (a summed KPI's yearly total is twelve)."""
    total = goal * SPAN_MONTHS if spec.time_aggregation == "sum" else goal
    if spec.direction == "higher":
        return {"target_type": "stay_above", "threshold": 0.8 * total, "target": total,
                "stretch": 1.2 * total}  # fmt: skip
    return {"target_type": "stay_below", "threshold": 1.2 * total, "target": total,
            "stretch": 0.8 * total}  # fmt: skip


def set_monthly_target(world: Enterprise, arch: Architecture, code: str, goal: float) -> None:
    spec = SPEC[code]
    do_set_target(
        world.users["admin"],
        arch.kpis[code],
        unit=world.units[spec.at],
        period_start=arch.month,
        period_end=add_months(arch.month, SPAN_MONTHS),
        reason="audit test",
        **target_fields(spec, goal),
    )


def build_architecture(world: Enterprise) -> Architecture:
    """The planted architecture, written through the KPI and strategy actions."""
    admin = world.users["admin"]
    day = today()
    month = day.replace(day=1)
    start = add_months(month, 1 - HISTORY_MONTHS)
    arch = Architecture(day=day, month=month, kpis={})
    objective = do_create_objective(
        admin,
        code="GRP-PERFORMANCE",
        name="Grow profitable sales with a healthy workforce",
        perspective=Perspective.objects.get(code="financial"),
        unit=world.units["GRP"],
        horizon_start=start,
        horizon_end=add_months(month, 2 * SPAN_MONTHS),
        valid_from=start,
    )
    series = planted_series(HISTORY_MONTHS)
    for spec in SPECS:
        kpi = do_create_kpi(
            admin,
            code=spec.code,
            valid_from=start,
            name=spec.name,
            description=spec.description,
            function=spec.function,
            unit=spec.unit_of_measure,
            direction=spec.direction,
            temporality="lagging",
            kind="output",
            time_aggregation=spec.time_aggregation,
            tree_aggregation=spec.tree_aggregation,
            refresh_cycle="monthly",
            data_source=spec.source,
            owner=world.people[spec.owner] if spec.owner else None,
            steward=world.people["steward"],
            scoring="linear",
        )
        arch.kpis[spec.code] = kpi
        do_set_measure(admin, objective, kpi, weight=1.0, effective=start)
        set_monthly_target(world, arch, spec.code, spec.level)
        record_history(world, kpi, spec, start, series[spec.code])
    recompute(kpi_ids={kpi.pk for kpi in arch.kpis.values()})
    return arch


def record_history(
    world: Enterprise, kpi: Kpi, spec: Spec, start: dt.date, series: np.ndarray
) -> None:
    """The monthly values from ``start``, as the administrator would enter them by hand."""
    now = db_datetime(timezone.now())
    lineage = db_json(KpiValue, "lineage", {})
    unit, admin = world.units[spec.at].pk, world.users["admin"].pk
    rows = [
        (kpi.pk, unit, None, db_date(add_months(start, offset)), round(float(value), 3),
         ValueSource.MANUAL, lineage, "history", admin, now)
        for offset, value in enumerate(series)
    ]  # fmt: skip
    BulkInsert(KpiValue, VALUE_FIELDS).write(rows)


def reread(arch: Architecture) -> Architecture:
    kpis = Kpi.objects.in_bulk([kpi.pk for kpi in arch.kpis.values()])
    return replace(arch, kpis={code: kpis[kpi.pk] for code, kpi in arch.kpis.items()})
