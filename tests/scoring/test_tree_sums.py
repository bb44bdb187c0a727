"""A summed KPI fills a unit from its subtree only once every unit expected to report is in:
a unit that has not reported yet never counts as zero, unless the unit's policy says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from scoreline.kpis.models import Kpi
from scoreline.org.models import OrgUnit
from scoreline.scoring.actions.definitions import do_set_measure, do_set_target
from scoreline.scoring.actions.objectives import do_create_objective
from scoreline.scoring.actions.scorecards import do_set_scorecard_policy
from scoreline.scoring.actions.values import do_record_value
from scoreline.scoring.models import NodeKind, Score
from scoreline.scoring.pipeline import recompute
from scoreline.scoring.queries import coverage_of
from scoreline.strategy.models import Perspective
from tests.builders.enterprise import Enterprise
from tests.builders.kpis import MakeKpi
from tests.builders.pages import ClientFor

START = dt.date(2025, 1, 1)
NOW = dt.datetime(2025, 4, 20, 12, 0, tzinfo=dt.UTC)
JANUARY, FEBRUARY, MARCH = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)
# Revenue reported by the units at the bottom (Sales, Finance, DE) in each month: DE has not
# reported February yet, and in March only Sales has.
REPORTED = {
    JANUARY: {"SALES": 30.0, "FIN": 25.0, "DE": 50.0},
    FEBRUARY: {"SALES": 30.0, "FIN": 25.0},
    MARCH: {"SALES": 30.0},
}


@pytest.fixture(autouse=True)
def _april_2025() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _record(world: Enterprise, kpi: Kpi, unit: str, month: dt.date, value: float) -> None:
    do_record_value(
        world.users["admin"], kpi, unit=world.units[unit], period=month, value=value, note="ok"
    )


@pytest.fixture
def revenue(enterprise: Enterprise, make_kpi: MakeKpi) -> Kpi:
    """Revenue with a target at every unit of the group but the project, summed up the tree;
    the group's objective is measured by it and by an order count the group reports itself."""
    admin, units = enterprise.users["admin"], enterprise.units
    measured: dict[str, Any] = {
        "valid_from": START,
        "refresh_cycle": "monthly",
        "data_source": "ERP general ledger",
        "scoring": "percent_capped",
    }
    revenue = make_kpi("revenue", name="Revenue", unit="EUR", **measured)
    orders = make_kpi("orders", name="Orders", unit="orders", tree_aggregation="none", **measured)
    span: dict[str, Any] = {"period_start": START, "period_end": dt.date(2026, 1, 1)}
    for code in ("GRP", "UK", "SALES", "FIN", "DE"):
        do_set_target(
            admin, revenue, unit=units[code], target_type="stay_above", target=1200.0, **span
        )
    do_set_target(admin, orders, unit=units["GRP"], target_type="stay_above", target=120.0, **span)
    grow = do_create_objective(
        admin, code="grow", name="Grow revenue", perspective=Perspective.objects.get(
            code="financial"
        ), unit=units["GRP"], horizon_start=START, horizon_end=dt.date(2026, 1, 1),
        valid_from=START,
    )  # fmt: skip
    do_set_measure(admin, grow, revenue, weight=1.0, effective=START)
    do_set_measure(admin, grow, orders, weight=1.0, effective=START)
    for month, reported in REPORTED.items():
        _record(enterprise, orders, "GRP", month, 10.0)
        for code, value in reported.items():
            _record(enterprise, revenue, code, month, value)
    return revenue


def _values(kpi: Kpi, unit: OrgUnit) -> dict[dt.date, float | None]:
    rows = Score.objects.filter(kind=NodeKind.KPI, kpi=kpi, unit=unit).order_by("period")
    return {row.period: row.value for row in rows}


def _everything() -> set[tuple[object, ...]]:
    fields = ("kind", "kpi", "objective", "perspective", "unit", "person", "period")
    return set(Score.objects.values_list(*fields, "value", "score", "status"))


def test_a_month_with_every_reporter_in_gives_the_entity_and_the_group_their_sums(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    recompute()
    assert _values(revenue, enterprise.units["UK"])[JANUARY] == 55.0
    assert _values(revenue, enterprise.units["GRP"])[JANUARY] == 105.0


def test_a_reporter_missing_leaves_the_sums_above_it_without_a_value_not_a_partial_one(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    recompute()
    uk, group = _values(revenue, enterprise.units["UK"]), _values(revenue, enterprise.units["GRP"])
    # February: the UK is complete (55), the group waits for DE. March: both wait.
    assert uk == {JANUARY: 55.0, FEBRUARY: 55.0}
    assert group == {JANUARY: 105.0}


def test_the_group_month_waiting_for_a_reporter_is_provisional_with_its_coverage(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    recompute()
    rows = Score.objects.filter(kind=NodeKind.UNIT, unit=enterprise.units["GRP"])
    by_month = {row.period: coverage_of(row) for row in rows}
    january, february = by_month[JANUARY], by_month[FEBRUARY]
    assert january is not None and (january.present, january.expected, january.state) == (
        2,
        2,
        "complete",
    )
    # Only the orders are in: the group's revenue is expected but has no value.
    assert february is not None and (february.present, february.expected, february.state) == (
        1,
        2,
        "provisional",
    )


def test_a_policy_that_counts_missing_values_as_zero_keeps_the_partial_sum(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    do_set_scorecard_policy(
        enterprise.users["ceo"], enterprise.units["GRP"], combine="weighted_mean",
        missing="zero", cap_at_100=True, effective=START,
    )  # fmt: skip
    recompute()
    # The group takes what is in: the UK's 55 in February, Sales' 30 in March. The UK keeps
    # the default policy and waits for Finance in March.
    assert _values(revenue, enterprise.units["GRP"]) == {
        JANUARY: 105.0,
        FEBRUARY: 55.0,
        MARCH: 30.0,
    }
    assert MARCH not in _values(revenue, enterprise.units["UK"])


def test_the_missing_value_arriving_fills_the_group_as_a_full_recompute_does(
    enterprise: Enterprise, revenue: Kpi
) -> None:
    recompute()
    _record(enterprise, revenue, "DE", FEBRUARY, 45.0)
    incremental = _everything()
    assert _values(revenue, enterprise.units["GRP"])[FEBRUARY] == 100.0
    recompute()
    assert _everything() == incremental


def test_the_api_shows_the_incomplete_group_month_without_a_score(
    enterprise: Enterprise, revenue: Kpi, client_for: ClientFor
) -> None:
    recompute()
    card = client_for("ceo").get("/api/v1/scorecards/GRP?period=2025-02").json()
    assert card["provisional"] is True
    assert card["coverage"]["present"] == 1 and card["coverage"]["expected"] == 2
    kpis = {
        kpi["code"]: kpi
        for lane in card["perspectives"]
        for objective in lane["objectives"]
        for kpi in objective["kpis"]
    }
    assert kpis["revenue"]["value"] is None and kpis["revenue"]["score"] is None
    assert kpis["orders"]["score"] == pytest.approx(100.0)


def test_the_scorecard_page_shows_no_score_for_the_incomplete_group_month(
    enterprise: Enterprise, revenue: Kpi, client_for: ClientFor
) -> None:
    recompute()
    url = reverse("kpis:scorecard-unit", args=[enterprise.units["GRP"].pk])
    response = client_for("ceo").get(f"{url}?month=2025-02")
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split('class="tree-kpi"')[1:]
    revenue_row = next(part for part in row if "Revenue" in part.split("</tr>")[0])
    assert "No score" in revenue_row.split("</tr>")[0]
    assert 'data-testid="provisional"' in html


def test_the_kpi_page_at_the_group_charts_the_sums_it_holds_no_entry_for(
    enterprise: Enterprise, revenue: Kpi, client_for: ClientFor
) -> None:
    recompute()
    url = reverse("kpis:kpi-unit", args=[revenue.pk, enterprise.units["GRP"].pk])
    html = client_for("ceo").get(url).content.decode()
    assert "No values at" not in html
    # January summed: 30 + 25 + 50 = 105; February waits for DE and has no point.
    assert "Jan 2025: 105" in html
    assert "Feb 2025:" not in html
    assert f"show the value calculated for {enterprise.units['GRP'].name}" in html
