"""Stored scores: what is written reads back as the engine computed it, explained as before.

The explanations are compared with ``golden/explanations_stored_as_json.json``: every score
of the world below with the explanation Scoreline stored as JSON beside it before scores
were stored in columns (decision 8), keyed by natural keys.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import time_machine

from scoreline.kpis.actions.definitions import do_create_kpi
from scoreline.kpis.models import Kpi
from scoreline.kpis.validation import RuleSpec
from scoreline.lib.months import month_of
from scoreline.scoring.actions.definitions import do_set_measure, do_set_status_rules, do_set_target
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import Score
from scoreline.scoring.pipeline import Computation, compute_as_of, recompute
from scoreline.strategy.actions.objectives import do_create_objective
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise

GOLDEN = Path(__file__).parent / "golden" / "explanations_stored_as_json.json"
START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)
MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
SPAN: dict[str, Any] = {"period_start": START, "period_end": dt.date(2026, 1, 1)}


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _kpi(world: Enterprise, code: str, **fields: Any) -> Kpi:
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


@pytest.fixture
def scorecards(enterprise: Enterprise) -> dict[str, Objective]:
    """Every kind of stored score and explanation: KPIs scored piecewise, as a percentage
    (lower is better, with status rules of their own), by bands, on a range and by a
    formula, at units and at a person; objectives measured by their own KPIs, by
    contributing objectives, and by both; perspectives, units and a person's scorecard,
    under the default policy and a weakest-link one without a cap."""
    admin, units, people = enterprise.users["admin"], enterprise.units, enterprise.people
    financial = Perspective.objects.get(code="financial")
    revenue = _kpi(enterprise, "revenue", tree_aggregation="sum")
    cost = _kpi(enterprise, "cost", direction="lower", scoring="percent_capped")
    margin = _kpi(
        enterprise, "margin", unit="%", formula="100 * (revenue - cost) / revenue",
        time_aggregation="average", scoring="percent_capped", data_source="",
    )  # fmt: skip
    quality = _kpi(
        enterprise, "quality", unit="%", time_aggregation="average", scoring="banded",
        band_edges=[90.0, 95.0], band_scores=[0.0, 60.0, 100.0],
    )  # fmt: skip
    stock = _kpi(
        enterprise, "stock-days", unit="days", direction="range", time_aggregation="average",
        scoring="target_range",
    )  # fmt: skip
    calls = _kpi(enterprise, "calls", unit="calls", scoring="linear")
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


def _key(row: Score) -> str:
    names = (
        row.kind,
        row.kpi.code if row.kpi else "",
        row.objective.code if row.objective else "",
        row.perspective.code if row.perspective else "",
        row.unit.code if row.unit else "",
        row.person.employee_id if row.person else "",
        row.period.isoformat(),
    )
    return "/".join(names)


def stored_explanations() -> dict[str, dict[str, Any]]:
    rows = Score.objects.select_related("kpi", "objective", "perspective", "unit", "person")
    return {
        _key(row): {
            "value": row.value,
            "score": row.score,
            "status": row.status,
            "explanation": row.explanation,
        }
        for row in rows
    }


def test_stored_scores_read_back_as_the_engine_computed_them_and_explained_as_before(
    scorecards: dict[str, Objective],
) -> None:
    recompute()
    golden = json.loads(GOLDEN.read_text())
    kinds = {key.split("/")[0] for key in golden}
    assert kinds == {"kpi", "objective", "perspective", "unit", "person"}
    assert stored_explanations() == golden
    fields = ("kind", "kpi", "objective", "perspective", "unit", "person", "period")
    stored = {row[:-1]: row[-1] for row in Score.objects.values_list(*fields, "score")}
    expected: dict[tuple[object, ...], float | None] = {}
    for done in compute_as_of(NOW.date()):
        rows = done.leaves.rows
        for kpi, unit, person, month, score in zip(
            rows.kpi.tolist(), rows.unit.tolist(), rows.person.tolist(), rows.month.tolist(),
            done.leaves.score.tolist(), strict=True,
        ):  # fmt: skip
            key = ("kpi", kpi, None, None, unit or None, person or None, month_of(month))
            expected[key] = score if np.isfinite(score) else None
        for node in done.nodes.tolist():
            for month, score in zip(done.months.tolist(), done.scores[node].tolist(), strict=True):
                if np.isfinite(score):
                    expected[_node_key(done.graph.keys[node], done, month)] = score
    assert len(stored) == len(expected) > 60
    assert stored == expected


def _node_key(key: tuple[object, ...], done: Computation, month: int) -> tuple[object, ...]:
    kind, first = str(key[0]), key[1]
    ids: dict[str, object] = {}
    if kind == "objective":
        owner = done.graph.owner_of(int(first))  # type: ignore[call-overload]
        assert owner is not None
        ids = {"objective": first, "unit" if owner[0] == "u" else "person": owner[1]}
    elif kind == "perspective":
        ids = {"unit": first, "perspective": key[2]}
    else:
        ids = {kind: first}
    names = ("kpi", "objective", "perspective", "unit", "person")
    return (kind, *(ids.get(name) for name in names), month_of(month))
