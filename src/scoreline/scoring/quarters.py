"""A KPI over fiscal quarters and years: the roll-up across time, kept apart from the tree.

Monthly values are aggregated by the KPI's own time aggregation (sum, average, last, min,
max), and so are their phased monthly targets, so a quarter of a summed KPI is judged against
the sum of its months' targets and a level KPI against its level. The aggregate is then scored
and given a status exactly as a month is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from scoreline.engine.aggregation import aggregate_time
from scoreline.kpis.models import Kpi
from scoreline.lib.dates import today
from scoreline.lib.months import month_index, month_of
from scoreline.lib.periods import fiscal_period_of, fiscal_year_of
from scoreline.org.models import OrgUnit, Person
from scoreline.org.queries import fiscal_calendar_of
from scoreline.scoring.engine_codes import TIME
from scoreline.scoring.loading import ValueRows, load_definitions, load_targets, load_values
from scoreline.scoring.pipeline import (
    PARAMS,
    MonthlyTargets,
    derive_values,
    formula_closure,
    score_values,
    sum_targets,
)

__all__ = ["PERIOD_KINDS", "KpiPeriod", "kpi_periods"]

PERIOD_KINDS = ("quarter", "year")


@dataclass(frozen=True)
class KpiPeriod:
    label: str  # FY2027-Q1 or FY2027
    start: dt.date
    end: dt.date  # first day after
    months: int  # months holding a value
    value: float | None
    target: float | None
    score: float | None
    status: str


def kpi_periods(
    kpi: Kpi, *, unit: OrgUnit | None = None, person: Person | None = None, per: str = "quarter"
) -> list[KpiPeriod]:
    """The KPI's values for a unit or person rolled up per fiscal quarter or year, scored."""
    if per not in PERIOD_KINDS:
        raise ValueError(f"per must be one of {', '.join(PERIOD_KINDS)}, got {per!r}")
    day = today()
    defs = load_definitions(day)
    version = defs.kpis.get(kpi.pk)
    home = unit if unit is not None else person.primary_unit if person is not None else None
    if version is None or home is None:
        return []
    calendar = fiscal_calendar_of(home)
    start_month = calendar.year_start_month if calendar is not None else 1
    subject = ([unit.pk], None) if unit is not None else (None, [person.pk])  # type: ignore[union-attr]
    _, needed = formula_closure(defs, {kpi.pk})
    # Only a formula or a unit filled from its subtree reads other subjects' values.
    own_only = not version.formula and (unit is None or version.tree_aggregation == "none")
    raw = load_values(
        month_index(day),
        kpi_ids=needed,
        unit_ids=subject[0] if own_only else None,
        person_ids=subject[1] if own_only else None,
    )
    values = derive_values(defs, raw, day, sum_targets(defs, day, needed))
    code = np.int64(kpi.pk)
    mine = values.kpi == code
    if unit is not None:
        mine &= values.unit == unit.pk
    else:
        mine &= values.person == person.pk  # type: ignore[union-attr]
    rows = values.take(mine)
    if not len(rows):
        return []
    order = np.argsort(rows.month)
    rows = rows.take(order)
    months = [month_of(int(m)) for m in rows.month]
    periods = [
        fiscal_period_of(m, start_month, "quarter")
        if per == "quarter"
        else fiscal_year_of(m, start_month)
        for m in months
    ]
    labels = sorted({p for p in periods})
    group = np.array([labels.index(p) for p in periods], dtype=np.int64)
    how = TIME[version.time_aggregation]
    targets = load_targets(day, kpi_ids=[kpi.pk], unit_ids=subject[0], person_ids=subject[1])
    monthly = dict(zip(PARAMS, MonthlyTargets(defs, targets)(rows), strict=True))
    total = aggregate_time(rows.value, group, len(labels), how, order=rows.month)
    aggregated = {
        name: aggregate_time(column, group, len(labels), how, order=rows.month)
        for name, column in monthly.items()
    }
    # Each period is scored as one element dated at its last month with a value.
    last = np.array([rows.month[group == g].max() for g in range(len(labels))], dtype=np.int64)
    scored_rows = ValueRows(
        np.full(len(labels), kpi.pk, dtype=np.int64),
        np.full(len(labels), rows.unit[0], dtype=np.int64),
        np.full(len(labels), rows.person[0], dtype=np.int64),
        last,
        total,
    )
    params = np.vstack([aggregated[name] for name in PARAMS])
    leaves = score_values(defs, scored_rows, params)
    counts = np.bincount(group, minlength=len(labels))
    return [
        KpiPeriod(
            label=period.label,
            start=period.start,
            end=period.end,
            months=int(counts[g]),
            value=_number(total[g]),
            target=_number(aggregated["target"][g]),
            score=_number(leaves.score[g]),
            status=defs.statuses[int(leaves.status[g])]
            if np.isfinite(leaves.score[g]) or np.isfinite(leaves.attainment[g])
            else "",
        )
        for g, period in enumerate(labels)
    ]


def _number(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
