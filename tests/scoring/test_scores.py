"""Scores end to end: values and definitions in the database, the engine, stored results."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import time_machine

from scoreline.engine.scoring import score_percent_of_target, score_piecewise
from scoreline.kpis.models import Kpi
from scoreline.lib.months import month_of
from scoreline.scoring import loading, pipeline
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.pipeline import compute_as_of, recompute, recompute_value
from scoreline.strategy.models import Objective, Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.scores import scored_kpi

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)
MONTHS = [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _kpi(world: Enterprise, code: str, **fields: Any) -> Kpi:
    return scored_kpi(world, code, **{"tree_aggregation": "sum", **fields})


@pytest.fixture
def scorecard(enterprise: Enterprise) -> dict[str, object]:
    """Revenue at UK and DE rolled up to the group; a margin formula; a cascade of two."""
    admin, units = enterprise.users["admin"], enterprise.units
    financial = Perspective.objects.get(code="financial")
    revenue = _kpi(enterprise, "revenue")
    cost = _kpi(enterprise, "cost", direction="lower", scoring="percent_capped")
    margin = _kpi(
        enterprise,
        "margin",
        unit="%",
        formula="100 * (revenue - cost) / revenue",
        time_aggregation="average",
        tree_aggregation="none",
        scoring="percent_capped",
        data_source="",
    )
    span: dict[str, Any] = {
        "period_start": START,
        "period_end": dt.date(2026, 1, 1),
        "effective": START,
    }
    for code in ("UK", "DE"):
        do_set_target(
            admin, revenue, unit=units[code], target_type="stay_above",
            threshold=960.0, target=1200.0, stretch=1440.0, **span,
        )  # fmt: skip
        do_set_target(admin, cost, unit=units[code], target_type="stay_below", target=720.0, **span)
    do_set_target(
        admin, revenue, unit=units["GRP"], target_type="stay_above",
        threshold=1920.0, target=2400.0, stretch=2880.0, **span,
    )  # fmt: skip
    do_set_target(admin, margin, unit=units["GRP"], target_type="stay_above", target=40.0, **span)
    horizon: dict[str, Any] = {
        "horizon_start": START,
        "horizon_end": dt.date(2026, 1, 1),
        "valid_from": START,
    }
    group = do_create_objective(
        admin, code="grow", name="Grow profitably", perspective=financial, unit=units["GRP"],
        **horizon,
    )  # fmt: skip
    uk = do_create_objective(
        admin, code="grow-uk", name="Grow the UK business", perspective=financial,
        unit=units["UK"], parent=group, contribution_weight=1.0, **horizon,
    )  # fmt: skip
    do_set_measure(admin, group, revenue, weight=3.0, effective=START)
    do_set_measure(admin, group, margin, weight=1.0, effective=START)
    do_set_measure(admin, uk, revenue, weight=1.0, effective=START)
    do_set_measure(admin, uk, cost, weight=1.0, effective=START)
    values = {"UK": (90.0, 110.0, 100.0), "DE": (100.0, 95.0, 130.0)}
    costs = {"UK": (50.0, 55.0, 60.0), "DE": (70.0, 50.0, 40.0)}
    for code, series in values.items():
        for month, value, spent in zip(MONTHS, series, costs[code], strict=True):
            do_record_value(admin, revenue, unit=units[code], period=month, value=value, note="ok")
            do_record_value(admin, cost, unit=units[code], period=month, value=spent, note="ok")
    return {"revenue": revenue, "cost": cost, "margin": margin, "group": group, "uk": uk}


def _stored(kind: str, **match: object) -> dict[dt.date, float | None]:
    rows = Score.objects.filter(kind=kind, **match).order_by("period")
    return {row.period: row.score for row in rows}


def _all_scores() -> dict[tuple[object, ...], float | None]:
    return {
        (
            r.kind,
            r.kpi_id,
            r.objective_id,
            r.perspective_id,
            r.unit_id,
            r.person_id,
            r.period,
        ): r.score
        for r in Score.objects.all()
    }


def test_unit_values_are_scored_against_their_phased_targets(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    uk = _stored(NodeKind.KPI, kpi=scorecard["revenue"], unit=enterprise.units["UK"])
    # A flat target over a summed KPI is split evenly over the twelve months of the span.
    expected = score_piecewise(np.array([90.0, 110.0, 100.0]), 80.0, 100.0, 120.0, direction=1)
    assert list(uk.values()) == pytest.approx(expected.tolist())


def test_a_group_without_values_of_its_own_gets_the_sum_of_its_units(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    row = Score.objects.get(
        kind=NodeKind.KPI, kpi=scorecard["revenue"], unit=enterprise.units["GRP"], period=MONTHS[2]
    )
    assert row.value == 230.0
    assert row.explanation["inputs"]["target"] == pytest.approx(200.0)


def test_a_seasonal_profile_is_read_by_calendar_month_whatever_month_the_span_starts(
    enterprise: Enterprise,
) -> None:
    """A profile holds twelve weights, January first: a span from October 2024 gives
    October the tenth weight. Weights 1..12 sum to 78, so a total of 7,800 phases to
    100 per weight point: October 1,000, November 1,100, December 1,200, January 100,
    February 200, March 300 (the months stored here)."""
    admin, de = enterprise.users["admin"], enterprise.units["DE"]
    orders = _kpi(enterprise, "orders", scoring="percent_capped")
    do_set_target(
        admin, orders, unit=de, target_type="stay_above", target=7800.0, phasing="seasonal",
        profile=[float(weight) for weight in range(1, 13)], period_start=dt.date(2024, 10, 1),
        period_end=dt.date(2025, 10, 1), effective=START,
    )  # fmt: skip
    for month in MONTHS:
        do_record_value(admin, orders, unit=de, period=month, value=100.0, note="ok")
    recompute()
    rows = Score.objects.filter(kind=NodeKind.KPI, kpi=orders, unit=de).order_by("period")
    targets = {row.period: row.explanation["inputs"]["target"] for row in rows}
    assert targets == pytest.approx({MONTHS[0]: 100.0, MONTHS[1]: 200.0, MONTHS[2]: 300.0})


def test_a_calendar_profile_starts_at_the_spans_first_month() -> None:
    january_first = [float(weight) for weight in range(1, 13)]
    april = 2025 * 12 + 3
    from_april = pipeline.calendar_profile(january_first, april)
    assert from_april is not None and from_april[:3] == [4.0, 5.0, 6.0]
    assert pipeline.calendar_profile(january_first, 2025 * 12) == january_first
    assert pipeline.calendar_profile([], april) == []


def test_formula_kpis_are_calculated_from_their_inputs(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    row = Score.objects.get(
        kind=NodeKind.KPI, kpi=scorecard["margin"], unit=enterprise.units["GRP"], period=MONTHS[0]
    )
    assert row.value == pytest.approx(100 * (190 - 120) / 190)
    expected = score_percent_of_target(np.array([row.value]), 40.0, direction=1)
    assert row.score == pytest.approx(float(expected[0]))


def test_objectives_roll_up_their_kpis_and_the_cascade(
    enterprise: Enterprise, scorecard: dict[str, Objective]
) -> None:
    recompute()
    month = MONTHS[1]
    kpi = {
        (r.kpi_id, r.unit_id): float(r.score or 0.0)
        for r in Score.objects.filter(kind=NodeKind.KPI, period=month)
    }
    units = enterprise.units
    uk = (
        kpi[(scorecard["revenue"].pk, units["UK"].pk)] + kpi[(scorecard["cost"].pk, units["UK"].pk)]
    ) / 2
    uk_objective = _stored(NodeKind.OBJECTIVE, objective=scorecard["uk"])[month]
    assert uk_objective == pytest.approx(uk)
    group_revenue = kpi[(scorecard["revenue"].pk, units["GRP"].pk)]
    group_margin = kpi[(scorecard["margin"].pk, units["GRP"].pk)]
    # Own KPIs weighted 3 and 1 carry 70%, the UK objective contributing to it 30% (the
    # default share of contributing objectives, decision 7).
    expected = 0.7 * (3 * group_revenue + 1 * group_margin) / 4 + 0.3 * uk
    assert _stored(NodeKind.OBJECTIVE, objective=scorecard["group"])[month] == pytest.approx(
        expected
    )
    assert _stored(NodeKind.UNIT, unit=units["GRP"])[month] == pytest.approx(expected)


def test_values_scored_in_pieces_side_by_side_store_what_one_piece_does(
    scorecard: dict[str, Kpi], monkeypatch: pytest.MonkeyPatch
) -> None:
    def stored() -> list[tuple[object, ...]]:
        fields = (
            "kind",
            "kpi_id",
            "objective_id",
            "unit_id",
            "person_id",
            "period",
            "value",
            "score",
        )
        return [
            (
                *(getattr(row, name) for name in fields),
                json.dumps(row.explanation, sort_keys=True),
            )
            for row in Score.objects.order_by(*fields)
        ]

    recompute()
    whole = stored()
    assert len(whole) > 20
    # Pieces of three values, and their columns copied on separate threads.
    monkeypatch.setattr(pipeline, "PIECE", 3)
    monkeypatch.setattr(loading, "PARALLEL_ROWS", 2)
    recompute()
    assert stored() == whole


def test_one_changed_value_updates_every_ancestor_as_a_full_recompute_would(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    admin, uk = enterprise.users["admin"], enterprise.units["UK"]
    before = _all_scores()
    do_record_value(
        admin, scorecard["revenue"], unit=uk, period=MONTHS[1], value=70.0, note="refund"
    )
    after_incremental = _all_scores()
    assert after_incremental != before
    recompute()
    assert _all_scores() == pytest.approx(after_incremental)


def test_a_missing_reporter_and_its_late_value_rescore_as_a_full_recompute_would(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    admin, units, revenue = enterprise.users["admin"], enterprise.units, scorecard["revenue"]
    april = dt.date(2025, 4, 1)
    group = {"kind": NodeKind.KPI, "kpi": revenue, "unit": units["GRP"], "period": april}
    found = []
    for code, value in (("UK", 120.0), ("DE", 80.0)):
        do_record_value(admin, revenue, unit=units[code], period=april, value=value, note="ok")
        incremental = _all_scores()
        recompute()
        assert _all_scores() == incremental
        found.append(Score.objects.filter(**group).values_list("value", flat=True).first())
    # UK alone leaves the group without a value (DE is expected too); DE completes the sum.
    assert found == [None, 200.0]


def test_recompute_value_touches_only_the_month_of_the_change(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    january = _all_scores()
    recompute_value(
        kpi_id=scorecard["revenue"].pk, unit_id=enterprise.units["DE"].pk, person_id=None,
        period=MONTHS[1],
    )  # fmt: skip
    assert _all_scores() == pytest.approx(january)


def test_an_as_of_recompute_equals_the_scores_stored_at_the_time(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    stored_then = {key: value for key, value in _all_scores().items() if key[0] == NodeKind.UNIT}
    admin, units = enterprise.users["admin"], enterprise.units
    with time_machine.travel(dt.datetime(2025, 6, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        for month in (dt.date(2025, 4, 1), dt.date(2025, 5, 1)):
            for code in ("UK", "DE"):
                do_record_value(
                    admin, scorecard["revenue"], unit=units[code], period=month, value=99.0
                )
        do_set_target(
            admin, scorecard["revenue"], unit=units["GRP"], target_type="stay_above",
            threshold=2400.0, target=3120.0, stretch=3600.0, period_start=START,
            period_end=dt.date(2026, 1, 1), effective=dt.date(2025, 5, 1),
        )  # fmt: skip
        recompute()
        now = {key: value for key, value in _all_scores().items() if key[0] == NodeKind.UNIT}
        assert {key[-1] for key in now} > {key[-1] for key in stored_then}
        then = compute_as_of(NOW.date())
    recomputed: dict[tuple[object, ...], float] = {
        (
            NodeKind.UNIT,
            None,
            None,
            None,
            part.graph.keys[node][1],
            None,
            month_of(int(month)),
        ): float(part.scores[node, j])
        for part in then
        for node, key in enumerate(part.graph.keys)
        if key[0] == "unit"
        for j, month in enumerate(part.months)
        if np.isfinite(part.scores[node, j])
    }
    # April's values arrived later: values are data, the definitions are what as-of restores.
    assert {key: recomputed[key] for key in stored_then} == pytest.approx(stored_then)


def test_a_later_change_leaves_earlier_months_as_they_were(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    recompute()
    before = _all_scores()
    do_set_target(
        enterprise.users["admin"], scorecard["revenue"], unit=enterprise.units["UK"],
        target_type="stay_above", threshold=1000.0, target=1300.0, stretch=1500.0,
        period_start=START, period_end=dt.date(2026, 1, 1), effective=dt.date(2025, 3, 1),
    )  # fmt: skip
    after = _all_scores()
    changed = {key[-1] for key in after if after[key] != pytest.approx(before.get(key))}
    assert changed == {dt.date(2025, 3, 1)}


def test_a_persons_goals_roll_up_into_their_individual_scorecard(
    enterprise: Enterprise, scorecard: dict[str, Kpi]
) -> None:
    admin, person = enterprise.users["admin"], enterprise.people["employee"]
    calls = _kpi(enterprise, "calls", unit="count", tree_aggregation="none")
    learning = Perspective.objects.get(code="learning-growth")
    goal = do_create_objective(
        admin, code="goal-calls", name="Make the calls", perspective=learning, person=person,
        horizon_start=START, horizon_end=dt.date(2026, 1, 1), valid_from=START, weight=2.0,
    )  # fmt: skip
    do_set_measure(admin, goal, calls, weight=1.0, effective=START)
    do_set_target(
        admin, calls, person=person, target_type="stay_above", threshold=480.0, target=600.0,
        stretch=720.0, period_start=START, period_end=dt.date(2026, 1, 1), effective=START,
    )  # fmt: skip
    do_record_value(admin, calls, person=person, period=MONTHS[0], value=45.0, note="flu")
    recompute()
    expected = score_piecewise(np.array([45.0]), 40.0, 50.0, 60.0, direction=1)[0]
    assert _stored(NodeKind.KPI, kpi=calls, person=person)[MONTHS[0]] == pytest.approx(expected)
    assert _stored(NodeKind.OBJECTIVE, objective=goal)[MONTHS[0]] == pytest.approx(expected)
    assert _stored(NodeKind.PERSON, person=person)[MONTHS[0]] == pytest.approx(expected)
