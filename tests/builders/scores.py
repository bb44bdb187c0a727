"""Every kind of stored score and explanation in a small world of fixed dates (2025)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.kpis.validation import RuleSpec
from scoreline.scoring.actions.definitions import do_set_measure, do_set_status_rules, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.actions.values import do_record_value
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise

START = dt.date(2025, 1, 1)
#: Scores of these months are computed on this day (run the builder and the recompute then).
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)
MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
SPAN: dict[str, Any] = {"period_start": START, "period_end": dt.date(2026, 1, 1)}


def scored_kpi(world: Enterprise, code: str, **fields: Any) -> Kpi:
    """A monthly KPI from the ERP ledger, in force from ``START``; ``fields`` override."""
    defaults: dict[str, Any] = {
        "name": code.replace("-", " ").title() + " of the unit",
        "unit": "EUR",
        "direction": "higher",
        "temporality": "lagging",
        "kind": "output",
        "time_aggregation": "sum",
        "tree_aggregation": "none",
        "refresh_cycle": "monthly",
        "data_source": "ERP general ledger",
        "scoring": "piecewise",
    }
    return do_create_kpi(
        world.users["admin"], code=code, valid_from=START, **{**defaults, **fields}
    )


def build_scorecards(enterprise: Enterprise) -> dict[str, Objective]:
    """Every kind of stored score and explanation: KPIs scored piecewise, as a percentage
    (lower is better, with status rules of their own), by bands, on a range and by a
    formula, at units and at a person; objectives measured by their own KPIs, by
    contributing objectives, and by both; perspectives, units and a person's scorecard,
    under the default policy and a weakest-link one without a cap."""
    admin, units, people = enterprise.users["admin"], enterprise.units, enterprise.people
    financial = Perspective.objects.get(code="financial")
    revenue = scored_kpi(enterprise, "revenue", tree_aggregation="sum")
    cost = scored_kpi(enterprise, "cost", direction="lower", scoring="percent_capped")
    margin = scored_kpi(
        enterprise, "margin", unit="%", formula="100 * (revenue - cost) / revenue",
        time_aggregation="average", scoring="percent_capped", data_source="",
    )  # fmt: skip
    quality = scored_kpi(
        enterprise, "quality", unit="%", time_aggregation="average", scoring="banded",
        band_edges=[90.0, 95.0], band_scores=[0.0, 60.0, 100.0],
    )  # fmt: skip
    stock = scored_kpi(
        enterprise, "stock-days", unit="days", direction="range", time_aggregation="average",
        scoring="target_range",
    )  # fmt: skip
    calls = scored_kpi(enterprise, "calls", unit="calls", scoring="linear")
    for code in ("UK", "DE"):
        do_set_target(
            admin, revenue, unit=units[code], target_type="stay_above",
            threshold=960.0, target=1200.0, stretch=1440.0, **SPAN,
        )  # fmt: skip
        do_set_target(admin, cost, unit=units[code], target_type="stay_below", target=720.0, **SPAN)
    do_set_target(
        admin, revenue, unit=units["GRP"], target_type="stay_above",
        threshold=1920.0, target=2400.0, stretch=2880.0, **SPAN,
    )  # fmt: skip
    do_set_target(admin, margin, unit=units["GRP"], target_type="stay_above", target=40.0, **SPAN)
    do_set_target(
        admin, stock, unit=units["DE"], target_type="range", range_low=20.0, range_high=40.0, **SPAN
    )  # fmt: skip
    do_set_target(
        admin, calls, person=people["manager"], target_type="stay_above",
        threshold=50.0, target=100.0, **SPAN,
    )  # fmt: skip
    do_set_status_rules(
        admin,
        cost,
        [
            RuleSpec("value", "le", "green", bound=60.0),
            RuleSpec("value", "le", "amber", bound=70.0),
            RuleSpec("value", "otherwise", "red"),
        ],
        effective=START,
    )
    do_set_scorecard_policy(
        admin, units["DE"], combine="minimum", missing="zero", cap_at_100=False, effective=START
    )
    horizon: dict[str, Any] = {
        "horizon_start": START,
        "horizon_end": dt.date(2026, 1, 1),
        "valid_from": START,
    }

    def objective(code: str, **fields: Any) -> Objective:
        return do_create_objective(
            admin, code=code, name=code, perspective=financial, **horizon, **fields
        )

    grow = objective("grow", unit=units["GRP"])
    grow_uk = objective("grow-uk", unit=units["UK"], parent=grow, contribution_weight=1.0)
    steer = objective("steer", unit=units["GRP"])
    steer_de = objective("steer-de", unit=units["DE"], parent=steer, contribution_weight=1.0)
    call = objective("call", person=people["manager"], parent=grow_uk, contribution_weight=1.0)
    for made, kpi, weight in [
        (grow, revenue, 3.0), (grow, margin, 1.0), (grow_uk, revenue, 1.0),
        (grow_uk, cost, 1.0), (grow_uk, quality, 1.0), (steer_de, stock, 1.0),
        (steer_de, cost, 1.0), (call, calls, 1.0),
    ]:  # fmt: skip
        do_set_measure(admin, made, kpi, weight=weight, effective=START)
    series: dict[tuple[Kpi, str], tuple[float, ...]] = {
        (revenue, "UK"): (90.0, 110.0, 100.0),
        (revenue, "DE"): (100.0, 95.0, 130.0),
        (cost, "UK"): (50.0, 65.0, 80.0),
        (cost, "DE"): (70.0, 50.0, 40.0),
        (quality, "UK"): (89.0, 93.0, 97.0),
        (stock, "DE"): (15.0, 30.0, 48.0),
    }
    for (kpi, code), values in series.items():
        for month, value in zip(MONTHS, values, strict=True):
            do_record_value(admin, kpi, unit=units[code], period=month, value=value, note="ok")
    for month, value in zip(MONTHS[:2], (40.0, 120.0), strict=True):
        do_record_value(
            admin, calls, person=people["manager"], period=month, value=value, note="ok"
        )
    return {"grow": grow, "steer": steer}
